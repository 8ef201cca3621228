import type { KeyObject } from 'node:crypto';
import { formatCents, toCents } from '../../../common/money.js';
import {
  alipayPrivateKey,
  alipayPublicKey,
  alipaySignContent,
  alipayTimestamp,
  jsonMemberText,
  rsa2Sign,
  rsa2Verify,
} from './alipay-sign.js';
import {
  stringParams,
  type CallbackRequest,
  type CallbackVerification,
  type Checkout,
  type PayableOrder,
  type PaymentGateway,
  type ReconcilableOrder,
} from './payment-gateway.js';

export interface AlipaySettings {
  appId: string;
  privateKey: string;
  publicKey: string;
  /** The OpenAPI gateway (https://openapi.alipay.com/gateway.do; a local fake in tests). */
  gatewayUrl: string;
  timeoutMs: number;
}

const MONEY = /^\d{1,10}(?:\.\d{1,2})?$/;
/** Paid; FINISHED is a paid trade past its refund window. */
const PAID = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);
const SUCCESS_CODE = '10000';

/** An OpenAPI answer's node (`alipay_trade_query_response`), its signature checked. */
type ApiNode = Record<string, unknown>;

/**
 * Alipay face-to-face (当面付): `alipay.trade.precreate` gives the QR code the user scans; the
 * asynchronous notify is RSA2-signed by Alipay and verified with its public key; the order is
 * found by `out_trade_no` and `app_id` must be ours.
 */
export class AlipayF2fGateway implements PaymentGateway {
  readonly name = 'alipay_f2f';
  readonly currency = 'CNY';
  readonly replies = { success: 'success', fail: 'fail' };
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly settings: AlipaySettings,
    private readonly urls: { notifyUrl: string },
  ) {
    try {
      this.privateKey = alipayPrivateKey(settings.privateKey);
      this.publicKey = alipayPublicKey(settings.publicKey);
    } catch {
      // Never the key itself in the message.
      throw new Error(
        'ALIPAY_PRIVATE_KEY / ALIPAY_PUBLIC_KEY: not an RSA key (PEM or bare base64)',
      );
    }
  }

  async createCheckout(order: PayableOrder): Promise<Checkout> {
    const node = await this.call(
      'alipay.trade.precreate',
      {
        out_trade_no: order.tradeno,
        total_amount: formatCents(toCents(order.total)),
        subject: `Top-up ${order.total}`,
      },
      { notify_url: this.urls.notifyUrl },
    );
    if (node.code !== SUCCESS_CODE || typeof node.qr_code !== 'string')
      throw new Error(`alipay.trade.precreate refused: ${describe(node)}`);
    return { paymentUrl: node.qr_code, qrCode: node.qr_code };
  }

  verifyCallback(req: CallbackRequest): CallbackVerification {
    const read = stringParams(req.params);
    if (!read.ok) return read;
    const p = read.params;
    const tradeno = p.out_trade_no || undefined;
    const fail = (reason: string): CallbackVerification => ({
      ok: false,
      reason,
      tradeno,
    });
    if (!p.sign) return fail('no signature');
    if (p.sign_type && p.sign_type !== 'RSA2')
      return fail(`sign_type ${p.sign_type.slice(0, 16)}`);
    const content = alipaySignContent(p, ['sign', 'sign_type']);
    if (!rsa2Verify(content, p.sign, this.publicKey))
      return fail('bad signature');
    if (p.app_id !== this.settings.appId) return fail('app_id is not ours');
    return this.readTrade(p, tradeno);
  }

  /** `alipay.trade.query` by our tradeno: a paid trade is credited like its notify. */
  async queryPayment(
    order: ReconcilableOrder,
  ): Promise<CallbackVerification | null> {
    const node = await this.call('alipay.trade.query', {
      out_trade_no: order.tradeno,
    });
    // ACQ.TRADE_NOT_EXIST: the QR code was never scanned.
    if (node.code !== SUCCESS_CODE) return null;
    const fields: Record<string, string> = {};
    for (const k of [
      'out_trade_no',
      'trade_no',
      'trade_status',
      'total_amount',
    ])
      if (typeof node[k] === 'string') fields[k] = node[k];
    return this.readTrade(fields, fields.out_trade_no || undefined);
  }

  private readTrade(
    p: Record<string, string>,
    tradeno: string | undefined,
  ): CallbackVerification {
    if (!tradeno || tradeno.length > 64)
      return { ok: false, reason: 'bad out_trade_no', tradeno };
    if (!MONEY.test(p.total_amount ?? ''))
      return { ok: false, reason: 'bad total_amount', tradeno };
    return {
      ok: true,
      payment: {
        tradeno,
        amountCents: toCents(p.total_amount),
        currency: this.currency,
        reference: p.trade_no ? p.trade_no.slice(0, 128) : null,
        // WAIT_BUYER_PAY, TRADE_CLOSED: authentic, nothing to credit.
        final: PAID.has(p.trade_status ?? ''),
      },
    };
  }

  /** One signed OpenAPI call; the answer's node is returned only if Alipay's signature holds. */
  private async call(
    method: string,
    biz: Record<string, string>,
    extra: Record<string, string> = {},
  ): Promise<ApiNode> {
    const params: Record<string, string> = {
      app_id: this.settings.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: alipayTimestamp(),
      version: '1.0',
      biz_content: JSON.stringify(biz),
      ...extra,
    };
    params.sign = rsa2Sign(
      alipaySignContent(params, ['sign']),
      this.privateKey,
    );
    const res = await fetch(this.settings.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(this.settings.timeoutMs),
    });
    if (!res.ok) throw new Error(`${method}: HTTP ${res.status}`);
    const text = await res.text();
    const key = `${method.replaceAll('.', '_')}_response`;
    const nodeText = jsonMemberText(text, key);
    if (!nodeText) throw new Error(`${method}: no ${key} in the answer`);
    const node = JSON.parse(nodeText) as ApiNode;
    // Error answers (bad app_id, unknown trade) may come unsigned; they are never credited.
    if (node.code !== SUCCESS_CODE) return node;
    const sign = (JSON.parse(text) as { sign?: unknown }).sign;
    if (typeof sign !== 'string' || !rsa2Verify(nodeText, sign, this.publicKey))
      throw new Error(`${method}: the answer's signature does not verify`);
    return node;
  }
}

function describe(node: ApiNode): string {
  const part = (k: string) =>
    typeof node[k] === 'string' ? String(node[k]).slice(0, 80) : '';
  return [part('code'), part('sub_code'), part('sub_msg') || part('msg')]
    .filter(Boolean)
    .join(' ');
}
