import { toCents } from '../../../common/money.js';
import {
  bepusdtSign,
  bepusdtSignatureMatches,
  goValueText,
} from './bepusdt-sign.js';
import type {
  CallbackRequest,
  CallbackVerification,
  Checkout,
  PayableOrder,
  PaymentGateway,
  ReconcilableOrder,
} from './payment-gateway.js';

export interface BepusdtSettings {
  /** The operator's BEPUSDT/epusdt server. */
  url: string;
  token: string;
  /** usdt.trc20 (default), tron.trx, ... */
  tradeType: string;
  timeoutMs: number;
}

const MONEY = /^\d{1,10}(?:\.\d{1,2})?$/;
/** 1 waiting, 2 paid, 3 expired. */
const STATUS_PAID = '2';

interface CreateAnswer {
  status_code?: unknown;
  message?: unknown;
  data?: { trade_id?: unknown; payment_url?: unknown } | null;
}

/**
 * Self-hosted USDT (BEPUSDT, and epusdt which it mirrors): `create-transaction` with the order's
 * fiat amount, the JSON callback md5-signed with the API token; only `status` 2 is paid. The
 * USDT `actual_amount` and the chain transaction are recorded with the callback.
 */
export class BepusdtGateway implements PaymentGateway {
  readonly name = 'bepusdt';
  /** `amount` is in yuan; BEPUSDT converts it to USDT at its own rate. */
  readonly currency = 'CNY';
  readonly replies = { success: 'ok', fail: 'fail' };

  constructor(
    private readonly settings: BepusdtSettings,
    private readonly urls: { notifyUrl: string; returnUrl: string },
  ) {}

  async createCheckout(order: PayableOrder): Promise<Checkout> {
    const body: Record<string, unknown> = {
      order_id: order.tradeno,
      // A JSON number: the server reads `amount` as float64 and signs it back the same way.
      amount: toCents(order.total) / 100,
      notify_url: this.urls.notifyUrl,
      redirect_url: this.urls.returnUrl,
      trade_type: this.settings.tradeType,
    };
    body.signature = bepusdtSign(body, this.settings.token);
    const res = await fetch(
      `${this.settings.url}/api/v1/order/create-transaction`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      },
    );
    if (!res.ok) throw new Error(`create-transaction: HTTP ${res.status}`);
    const answer = (await res.json()) as CreateAnswer;
    const tradeId = answer.data?.trade_id;
    const url = answer.data?.payment_url;
    if (
      answer.status_code !== 200 ||
      typeof tradeId !== 'string' ||
      typeof url !== 'string'
    )
      throw new Error(
        `create-transaction refused: ${String(answer.message).slice(0, 120)}`,
      );
    return { paymentUrl: url, ref: tradeId };
  }

  verifyCallback(req: CallbackRequest): CallbackVerification {
    const p = req.params;
    const text = (k: string) =>
      p[k] === undefined || p[k] === null ? '' : goValueText(p[k]);
    const tradeno = text('order_id') || undefined;
    const fail = (reason: string): CallbackVerification => ({
      ok: false,
      reason,
      tradeno,
    });
    if (!text('signature')) return fail('no signature');
    if (!bepusdtSignatureMatches(p, this.settings.token))
      return fail('bad signature');
    const status = text('status');
    if (status !== STATUS_PAID) return fail(`status ${status.slice(0, 8)}`);
    if (!tradeno || tradeno.length > 64) return fail('bad order_id');
    const amount = text('amount');
    if (!MONEY.test(amount)) return fail('bad amount');
    const tradeId = text('trade_id');
    return {
      ok: true,
      payment: {
        tradeno,
        amountCents: toCents(amount),
        currency: this.currency,
        reference: tradeId ? tradeId.slice(0, 128) : null,
        final: true,
        detail: {
          actual_amount: text('actual_amount').slice(0, 32),
          block_transaction_id: text('block_transaction_id').slice(0, 128),
          token: text('token').slice(0, 64),
        },
      },
    };
  }

  /**
   * `GET /pay/check-status/<trade_id>` (the cashier page's own poll): status 2 means the
   * transaction recorded at checkout, for exactly this order's amount, was paid.
   */
  async queryPayment(
    order: ReconcilableOrder,
  ): Promise<CallbackVerification | null> {
    if (!order.checkoutRef) return null;
    const res = await fetch(
      `${this.settings.url}/pay/check-status/${encodeURIComponent(order.checkoutRef)}`,
      { signal: AbortSignal.timeout(this.settings.timeoutMs) },
    );
    if (!res.ok) throw new Error(`check-status: HTTP ${res.status}`);
    const answer = (await res.json()) as {
      trade_id?: unknown;
      status?: unknown;
    };
    if (answer.trade_id !== order.checkoutRef) return null;
    if (String(answer.status) !== STATUS_PAID) return null;
    return {
      ok: true,
      payment: {
        tradeno: order.tradeno,
        amountCents: toCents(order.total),
        currency: this.currency,
        reference: order.checkoutRef,
        final: true,
      },
    };
  }
}
