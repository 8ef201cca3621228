/** What a gateway needs to start a payment. */
export interface PayableOrder {
  id: number;
  tradeno: string;
  /** DECIMAL string, "12.50". */
  total: string;
}

/** A notify the gateway's signature vouches for; the order and amount are checked after. */
export interface VerifiedNotify {
  /** Our `tradeno` (epay `out_trade_no`). */
  tradeno: string;
  /** Paid amount in integer cents. */
  amountCents: number;
  /** The gateway's own trade number. */
  callbackNo: string | null;
}

export type NotifyVerification =
  | { ok: true; notify: VerifiedNotify }
  | { ok: false; reason: string; tradeno?: string };

/** One payment gateway, chosen by name. Nothing here touches the database. */
export interface PaymentGateway {
  readonly name: string;
  /** Where the user pays (null: no online payment, e.g. manual). */
  paymentUrl(order: PayableOrder): string | null;
  /** Verifies a callback's signature and content; never throws on bad input. */
  verifyNotify(params: Record<string, unknown>): NotifyVerification;
  /** The body the gateway expects back. */
  readonly replies: { success: string; fail: string };
}
