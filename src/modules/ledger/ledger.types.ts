/** The largest balance `user.money` DECIMAL(12,2) can hold: 9,999,999,999.99. */
export const MAX_BALANCE_CENTS = 999_999_999_999;

export const MONEY_REASONS = [
  'topup',
  'purchase',
  'commission',
  'invite_reward',
  'clawback',
  'admin',
  'refund',
] as const;
export type MoneyReason = (typeof MONEY_REASONS)[number];

export interface BalanceChange {
  userId: number;
  /** Signed integer cents: positive credits, negative debits. */
  amountCents: number;
  reason: MoneyReason;
  /** Which record caused it (`paylist`, `bought`, `payback`, ...). */
  refType?: string;
  refId?: number;
  note?: string;
  /**
   * Debit only while the balance covers it (`money >= -amount`): the conditional update that
   * makes concurrent purchases unable to spend the same money twice. Off for clawbacks, which
   * may drive a balance negative on purpose.
   */
  requireFunds?: boolean;
}

/** A change applied: its `user_money_log` row (LedgerService.balanceCents reads the balance). */
export interface AppliedBalanceChange {
  logId: number;
}

export interface LedgerProblem {
  user_id: number;
  problem: string;
}
