/**
 * The SQL of a balance change, as pure builders: raw rather than TypeORM query builders, which
 * rebuild the statement and map the entity on every call of the money paths. The repository
 * runs them; the bench's bare mysql2 ceiling imports the same builders (from its build) so both
 * run identical SQL. Positional `?`, which mysql2 and better-sqlite3 both bind.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type { UserMoneyLog } from '../../database/entities/index.js';
import { formatCents } from '../../common/money.js';
import { MAX_BALANCE_CENTS } from './ledger.types.js';

/** `user_money_log` property → column, in the INSERT's order. */
const LOG_COLUMNS: Readonly<Record<keyof Omit<UserMoneyLog, 'id'>, string>> = {
  userId: 'user_id',
  before: 'before',
  after: 'after',
  amount: 'amount',
  reason: 'reason',
  refType: 'ref_type',
  refId: 'ref_id',
  note: 'note',
  createdAt: 'created_at',
};

/**
 * `money = ROUND(money + ?, 2)` (ROUND keeps SQLite's REAL at exact cents), guarded by
 * `money >= need` for a debit that requires funds, and for a credit by the DECIMAL(12,2)
 * bound: past it MariaDB fails the statement and SQLite stores a value the column cannot, so
 * such a credit changes nothing.
 */
export function addToBalanceQuery(
  q: Quote,
  userId: number,
  amountCents: number,
  requireFunds: boolean,
): SqlQuery {
  const amount = formatCents(amountCents);
  let sql = `UPDATE ${q('user')} SET ${q('money')} = ROUND(money + ?, 2) WHERE ${q('id')} = ?`;
  const params: (string | number)[] = [amount, userId];
  if (requireFunds && amountCents < 0) {
    sql += ' AND money >= ?';
    params.push(formatCents(-amountCents));
  }
  if (amountCents > 0) {
    sql += ' AND money + ? <= CAST(? AS DECIMAL(14, 2))';
    params.push(amount, formatCents(MAX_BALANCE_CENTS));
  }
  return { sql, params };
}

/** The user's balance (no row: no such user); the column comes back as `money`. */
export function balanceQuery(q: Quote, userId: number): SqlQuery {
  return {
    sql: `SELECT ${q('money')} AS ${q('money')} FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [userId],
  };
}

/**
 * The ledger row of the balance change {@link addToBalanceQuery} just applied in the same
 * transaction, its `before` and `after` taken from the user's row in the same statement:
 * `after` is the balance the update left (the transaction holds that row's lock until commit),
 * `before` is `after` minus the change. One round trip instead of reading the balance back and
 * then inserting it.
 */
export function insertLogAfterChangeQuery(
  q: Quote,
  row: Omit<UserMoneyLog, 'id' | 'before' | 'after'>,
): SqlQuery {
  const columns = Object.values(LOG_COLUMNS).map(q).join(', ');
  // In LOG_COLUMNS' order: user_id, before, after, then the given values.
  const values = `${q('id')}, ROUND(${q('money')} - ?, 2), ${q('money')}, ?, ?, ?, ?, ?, ?`;
  return {
    sql: `INSERT INTO ${q('user_money_log')} (${columns}) SELECT ${values} FROM ${q('user')} WHERE ${q('id')} = ?`,
    params: [
      row.amount,
      row.amount,
      row.reason,
      row.refType ?? null,
      row.refId ?? null,
      row.note ?? null,
      row.createdAt,
      row.userId,
    ],
  };
}
