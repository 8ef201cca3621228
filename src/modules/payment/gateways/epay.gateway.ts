import { toCents } from '../../../common/money.js';
import { epaySign, epaySignatureMatches } from './epay-sign.js';
import type {
  NotifyVerification,
  PayableOrder,
  PaymentGateway,
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

  constructor(
    readonly name: EpayName,
    private readonly settings: EpaySettings,
    private readonly urls: { notifyUrl: string; returnUrl: string },
  ) {}

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

  verifyNotify(raw: Record<string, unknown>): NotifyVerification {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string')
        return { ok: false, reason: `parameter ${k} is not a single string` };
      params[k] = v;
    }
    const tradeno = params.out_trade_no || undefined;
    const fail = (reason: string): NotifyVerification => ({
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
    const callbackNo = params.trade_no ? params.trade_no.slice(0, 128) : null;
    return {
      ok: true,
      notify: { tradeno, amountCents: toCents(params.money), callbackNo },
    };
  }
}
