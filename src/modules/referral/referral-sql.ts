/**
 * The SQL of a commission payout inside the crediting transaction, as pure builders: raw rather
 * than TypeORM's `findOne` / query builders, which rebuild the statement and map the entity per
 * call. The repository runs them; the bench's bare mysql2 ceiling imports the same builders
 * (from its build) so both run identical SQL. Positional `?` for mysql2 and better-sqlite3.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type { Payback } from '../../database/entities/index.js';

/** `payback` property → column, in the INSERT's order. */
const PAYBACK_COLUMNS: Readonly<Record<keyof Omit<Payback, 'id'>, string>> = {
  total: 'total',
  userid: 'userid',
  refBy: 'ref_by',
  refGet: 'ref_get',
  datetime: 'datetime',
  callback: 'callback',
  paylistId: 'paylist_id',
  level: 'level',
};

/** A user's link in a referral chain; columns come back named `id`, `refBy`, `enable`. */
export function chainLinkQuery(q: Quote, userId: number): SqlQuery {
  return {
    sql:
      `SELECT ${q('id')} AS ${q('id')}, ${q('ref_by')} AS ${q('refBy')}, ${q('enable')} AS ${q('enable')} ` +
      `FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [userId],
  };
}

/** Payments of `refereeId` that already earned `earnerId` a commission (`total > 0`), as `n`. */
export function countCommissionsQuery(
  q: Quote,
  earnerId: number,
  refereeId: number,
): SqlQuery {
  return {
    sql:
      `SELECT COUNT(1) AS ${q('n')} FROM ${q('payback')} ` +
      `WHERE ${q('ref_by')} = ? AND ${q('userid')} = ? AND ${q('total')} > 0`,
    params: [earnerId, refereeId],
  };
}

/** One `payback` row (a commission, a registration reward or a clawback). */
export function insertPaybackQuery(
  q: Quote,
  row: Omit<Payback, 'id'>,
): SqlQuery {
  const properties = Object.keys(
    PAYBACK_COLUMNS,
  ) as (keyof typeof PAYBACK_COLUMNS)[];
  return {
    sql:
      `INSERT INTO ${q('payback')} (${properties.map((p) => q(PAYBACK_COLUMNS[p])).join(', ')}) ` +
      `VALUES (${properties.map(() => '?').join(', ')})`,
    params: properties.map((p) => row[p] ?? null),
  };
}
