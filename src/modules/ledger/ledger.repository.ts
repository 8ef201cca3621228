import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { toCents } from '../../common/money.js';
import { User, UserMoneyLog } from '../../database/entities/index.js';
import {
  hydrator,
  insertedId,
  queryIn,
  Quote,
  runStructured,
} from '../../database/raw-sql.js';
import {
  addToBalanceQuery,
  balanceQuery,
  insertLogAfterChangeQuery,
} from './ledger-sql.js';
import { LedgerProblem } from './ledger.types.js';

type RawRow = Record<string, unknown>;

/** SQL of the balance ledger: the conditional money update, its log row and the audit queries. */
@Injectable()
export class LedgerRepository {
  private readonly q: Quote;

  private readonly hydrateBalance;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.hydrateBalance = hydrator(dataSource, User, ['money']);
  }

  /**
   * `money = ROUND(money + amount, 2)`, optionally guarded by `money >= need`, and a credit by
   * the DECIMAL bound (see {@link addToBalanceQuery}). Returns whether a row changed.
   */
  async addToBalance(
    manager: EntityManager,
    userId: number,
    amountCents: number,
    requireFunds: boolean,
  ): Promise<boolean> {
    const { sql, params } = addToBalanceQuery(
      this.q,
      userId,
      amountCents,
      requireFunds,
    );
    const result = await runStructured(manager, sql, params);
    return (result.affected ?? 0) > 0;
  }

  /** The balance, or null when the user does not exist. */
  async balanceCentsIfExists(
    manager: EntityManager,
    userId: number,
  ): Promise<number | null> {
    const [row] = await queryIn<RawRow[]>(
      manager,
      balanceQuery(this.q, userId),
    );
    return row ? toCents(this.hydrateBalance(row).money) : null;
  }

  /** The balance as this transaction sees it (its own update included). */
  async balanceCents(manager: EntityManager, userId: number): Promise<number> {
    const cents = await this.balanceCentsIfExists(manager, userId);
    if (cents === null) throw new Error(`User ${userId} not found`);
    return cents;
  }

  /** The ledger row of the change {@link addToBalance} just made (see insertLogAfterChangeQuery). */
  async insertLogAfterChange(
    manager: EntityManager,
    row: Omit<UserMoneyLog, 'id' | 'before' | 'after'>,
  ): Promise<number> {
    const { sql, params } = insertLogAfterChangeQuery(this.q, row);
    return insertedId(await runStructured(manager, sql, params));
  }

  /**
   * Every way the ledger can disagree with `user.money`, in set-based queries:
   * a row whose after ≠ before + amount; a user whose latest after ≠ money; a user whose first
   * before + Σ amount ≠ latest after; a user with money but no ledger rows.
   */
  async findProblems(): Promise<LedgerProblem[]> {
    const q = (name: string) => this.dataSource.driver.escape(name);
    const [log, user] = [q('user_money_log'), q('user')];
    const [before, after] = [q('before'), q('after')];
    const badRows = await this.dataSource.query<
      { user_id: number; id: number }[]
    >(
      `SELECT user_id, id FROM ${log} WHERE ROUND(${after} - ${before} - amount, 2) <> 0`,
    );
    const badLatest = await this.dataSource.query<
      { user_id: number; money: string; last_after: string | null }[]
    >(
      `SELECT u.id AS user_id, u.money AS money, l.${after} AS last_after
         FROM ${user} u
         LEFT JOIN ${log} l ON l.id = (SELECT MAX(m.id) FROM ${log} m WHERE m.user_id = u.id)
        WHERE (l.id IS NULL AND u.money <> 0) OR (l.id IS NOT NULL AND ROUND(l.${after} - u.money, 2) <> 0)`,
    );
    const badSums = await this.dataSource.query<{ user_id: number }[]>(
      `SELECT g.user_id AS user_id
         FROM (SELECT user_id, SUM(amount) AS total, MIN(id) AS first_id, MAX(id) AS last_id
                 FROM ${log} GROUP BY user_id) g
         JOIN ${log} f ON f.id = g.first_id
         JOIN ${log} la ON la.id = g.last_id
        WHERE ROUND(f.${before} + g.total - la.${after}, 2) <> 0`,
    );
    return [
      ...badRows.map((r) => ({
        user_id: Number(r.user_id),
        problem: `log row ${r.id}: after ≠ before + amount`,
      })),
      ...badLatest.map((r) => ({
        user_id: Number(r.user_id),
        problem:
          r.last_after === null
            ? `money ${r.money} but no ledger rows`
            : `money ${r.money} ≠ latest ledger after ${r.last_after}`,
      })),
      ...badSums.map((r) => ({
        user_id: Number(r.user_id),
        problem: 'ledger amounts do not add up',
      })),
    ];
  }
}
