import { toCents } from '../../../common/money.js';
import { epaySign, epaySignatureMatches } from './epay-sign.js';
import {
  stringParams,
  type CallbackRequest,
  type CallbackVerification,
  type Checkout,
  type PayableOrder,
  type PaymentGateway,
} from './payment-gateway.js';

export interface EpaySettings {
  url: string;
  pid: string;
  key: string;
}

/** Our gateway names on the epay protocol and the epay `type` each one asks for. */
export const EPAY_TYPES = {
  alipay: 'alipay',
  wechat: 'wxpay',
  /** No type: the aggregator's cashier page lets the user choose. */
  epay: '',
} as const;
export type EpayName = keyof typeof EPAY_TYPES;

const MONEY = /^\d{1,10}(?:\.\d{1,2})?$/;

/** The "易支付" protocol most Chinese payment aggregators speak: submit.php + MD5 notify. */
export class EpayGateway implements PaymentGateway {
  readonly replies = { success: 'success', fail: 'fail' };
  /** The aggregators' merchants settle in yuan. */
  readonly currency = 'CNY';

  constructor(
    readonly name: EpayName,
    private readonly settings: EpaySettings,
    private readonly urls: { notifyUrl: string; returnUrl: string },
  ) {}

  createCheckout(order: PayableOrder): Promise<Checkout> {
    return Promise.resolve({ paymentUrl: this.paymentUrl(order) });
  }

  /** Deterministic: the same signed submit.php URL every time it is asked. */
  paymentUrl(order: PayableOrder): string {
    const params: Record<string, string> = {
      pid: this.settings.pid,
      type: EPAY_TYPES[this.name],
      out_trade_no: order.tradeno,
      notify_url: this.urls.notifyUrl,
      return_url: this.urls.returnUrl,
      name: `Top-up ${order.total}`,
      money: order.total,
    };
    if (!params.type) delete params.type;
    params.sign = epaySign(params, this.settings.key);
    params.sign_type = 'MD5';
    return `${this.settings.url}/submit.php?${new URLSearchParams(params).toString()}`;
  }

  verifyCallback(req: CallbackRequest): CallbackVerification {
    const read = stringParams(req.params);
    if (!read.ok) return read;
    const params = read.params;
    const tradeno = params.out_trade_no || undefined;
    const fail = (reason: string): CallbackVerification => ({
      ok: false,
      reason,
      tradeno,
    });
    if (!params.sign) return fail('no signature');
    if (!epaySignatureMatches(params, this.settings.key))
      return fail('bad signature');
    if (params.pid !== this.settings.pid) return fail('pid is not ours');
    if (params.trade_status !== 'TRADE_SUCCESS')
      return fail(`trade_status ${params.trade_status ?? '(none)'}`);
    if (!tradeno || tradeno.length > 64) return fail('bad out_trade_no');
    if (!MONEY.test(params.money ?? '')) return fail('bad money');
    return {
      ok: true,
      payment: {
        tradeno,
        amountCents: toCents(params.money),
        currency: this.currency,
        reference: params.trade_no ? params.trade_no.slice(0, 128) : null,
        final: true,
      },
    };
  }
}
