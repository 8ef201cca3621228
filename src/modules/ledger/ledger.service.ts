import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { formatCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import { LedgerErrorCode, LedgerException } from './ledger.exception.js';
import { LedgerRepository } from './ledger.repository.js';
import {
  AppliedBalanceChange,
  BalanceChange,
  LedgerProblem,
  MAX_BALANCE_CENTS,
} from './ledger.types.js';

/**
 * The only way a balance changes: an atomic conditional update plus its `user_money_log` row,
 * inside the caller's transaction (so the change and its record commit or roll back together).
 */
@Injectable()
export class LedgerService {
  constructor(private readonly ledger: LedgerRepository) {}

  /**
   * Applies a signed change and writes its ledger row (two statements); null when the user is
   * missing or (with `requireFunds`) the balance does not cover the debit — then nothing was
   * written. A credit past what DECIMAL(12,2) holds
   * throws BALANCE_OUT_OF_RANGE (409), also writing nothing.
   */
  async applyBalanceChange(
    manager: EntityManager,
    change: BalanceChange,
  ): Promise<AppliedBalanceChange | null> {
    if (!Number.isSafeInteger(change.amountCents))
      throw new TypeError('amountCents must be an integer');
    const changed = await this.ledger.addToBalance(
      manager,
      change.userId,
      change.amountCents,
      change.requireFunds ?? false,
    );
    if (!changed) {
      if (
        change.amountCents > 0 &&
        (await this.ledger.balanceCentsIfExists(manager, change.userId)) !==
          null
      )
        throw new LedgerException(
          LedgerErrorCode.BALANCE_OUT_OF_RANGE,
          `A credit of ${formatCents(change.amountCents)} would take the balance past ${formatCents(MAX_BALANCE_CENTS)}`,
        );
      return null;
    }
    // Our UPDATE holds the row lock (InnoDB) / the write lock (SQLite) until commit, so the
    // balance the log row takes from the user's row is exactly the one our change produced.
    const logId = await this.ledger.insertLogAfterChange(manager, {
      userId: change.userId,
      amount: formatCents(change.amountCents),
      reason: change.reason,
      refType: change.refType ?? null,
      refId: change.refId ?? null,
      note: change.note?.slice(0, 255) ?? null,
      createdAt: unixNow(),
    });
    return { logId };
  }

  /**
   * The balance as `manager`'s transaction sees it, for a reply that shows it: after
   * {@link applyBalanceChange} in the same transaction, exactly the balance that change left.
   */
  balanceCents(manager: EntityManager, userId: number): Promise<number> {
    return this.ledger.balanceCents(manager, userId);
  }

  /** Every user whose ledger disagrees with `user.money` (empty = consistent). */
  findProblems(): Promise<LedgerProblem[]> {
    return this.ledger.findProblems();
  }
}
