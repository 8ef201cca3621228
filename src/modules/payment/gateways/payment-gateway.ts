/** What a gateway needs to start a payment. */
export interface PayableOrder {
  id: number;
  tradeno: string;
  /** DECIMAL string, "12.50". */
  total: string;
}

/** What the user is given to pay an order; `ref` is the gateway's id of this checkout. */
export interface Checkout {
  /** Where the user pays (null: no online payment, e.g. manual). */
  paymentUrl: string | null;
  /** A QR code's content (Alipay face-to-face), when the gateway pays by QR. */
  qrCode?: string | null;
  /** The gateway's id of the checkout (Stripe session, BEPUSDT trade_id), kept to reconcile. */
  ref?: string | null;
}

/** A callback as it arrived: its parsed parameters and, for signatures over bytes, the raw body. */
export interface CallbackRequest {
  /** Query parameters (GET) or the parsed form/JSON body (POST; the query when it is empty). */
  params: Record<string, unknown>;
  /** The exact request body bytes, when there was a body. */
  rawBody?: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What an authentic callback (or a reconciliation answer) says about an order. The order, its
 * gateway, its amount and its currency are checked after, against the database.
 */
export interface VerifiedPayment {
  /** Our `tradeno`. */
  tradeno: string;
  /** The amount paid, in the order's currency, in integer cents. */
  amountCents: number;
  /** ISO 4217, upper case ("CNY", "USD"). */
  currency: string;
  /** The gateway's own trade number (unique per gateway). */
  reference: string | null;
  /**
   * True: the money is final and the order may be credited. False: an authentic message that
   * pays nothing yet (a Stripe session awaiting an async payment); acknowledged, ignored.
   */
  final: boolean;
  /** Recorded with the callback (e.g. the USDT amount and the chain transaction). */
  detail?: Record<string, string>;
}

export type CallbackVerification =
  | { ok: true; payment: VerifiedPayment }
  /** Authentic but about nothing we credit (another Stripe event type): acknowledged. */
  | { ok: 'ignored'; reason: string; tradeno?: string }
  | { ok: false; reason: string; tradeno?: string };

/** An order as reconciliation asks the gateway about it. */
export interface ReconcilableOrder extends PayableOrder {
  /** The checkout's gateway id, when one was recorded at creation. */
  checkoutRef: string | null;
}

/**
 * One payment gateway, chosen by name. Verification touches neither the database nor the
 * network; `createCheckout` and `queryPayment` may call the gateway (never inside a
 * database transaction).
 */
export interface PaymentGateway {
  readonly name: string;
  /** ISO 4217 currency the gateway charges orders in; null: none (manual). */
  readonly currency: string | null;
  /** The body the gateway expects back, and the HTTP statuses. */
  readonly replies: { success: string; fail: string };
  /** Starts a payment for the order. */
  createCheckout(order: PayableOrder): Promise<Checkout>;
  /** Verifies a callback's signature and content; never throws on bad input. */
  verifyCallback(req: CallbackRequest): CallbackVerification;
  /**
   * Asks the gateway about an unpaid order (reconciliation). Absent: the gateway cannot be
   * asked. Returns null when the gateway knows of no payment for it.
   */
  queryPayment?(order: ReconcilableOrder): Promise<CallbackVerification | null>;
}

/** Callback parameters as single strings; numbers and booleans (JSON bodies) as text. */
export function stringParams(
  raw: Record<string, unknown>,
):
  { ok: true; params: Record<string, string> } | { ok: false; reason: string } {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') params[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean')
      params[k] = String(v);
    else if (v === null) params[k] = '';
    else return { ok: false, reason: `parameter ${k} is not a single value` };
  }
  return { ok: true, params };
}

/** One header's value (the first, when repeated). */
export function headerOf(
  headers: CallbackRequest['headers'],
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
