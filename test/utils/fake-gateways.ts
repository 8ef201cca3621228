import { createHash, createSign, createVerify, KeyObject } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One local HTTP server speaking the documented answers of the gateways Panel calls out to:
 * Stripe (`/v1/checkout/sessions`), Alipay OpenAPI (`/alipay/gateway.do`: precreate, query)
 * and BEPUSDT (`/bepusdt/api/v1/order/create-transaction`, `/bepusdt/pay/check-status/:id`).
 * Requests are checked as the real gateways check them (Alipay's RSA2 request signature,
 * BEPUSDT's md5 signature, Stripe's bearer key); tests mark orders paid here to reconcile.
 */
export interface FakeStripeSession {
  id: string;
  object: 'checkout.session';
  client_reference_id: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string;
  payment_status: 'paid' | 'unpaid';
  status: 'open' | 'complete';
  payment_intent: string | null;
  url: string;
}

export interface FakeAlipayTrade {
  out_trade_no: string;
  total_amount: string;
  notify_url: string;
  trade_no: string;
  trade_status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS';
}

export interface FakeBepusdtOrder {
  trade_id: string;
  order_id: string;
  amount: number;
  notify_url: string;
  status: 1 | 2 | 3;
}

export interface FakeGatewaysOptions {
  stripeSecretKey: string;
  /** Verifies our requests (the app's public key, as uploaded to Alipay). */
  alipayAppPublicKey: KeyObject;
  /** Signs Alipay's answers (Alipay's own private key). */
  alipayPrivateKey: KeyObject;
  bepusdtToken: string;
}

export class FakeGateways {
  readonly stripeSessions = new Map<string, FakeStripeSession>();
  readonly alipayTrades = new Map<string, FakeAlipayTrade>();
  readonly bepusdtOrders = new Map<string, FakeBepusdtOrder>();
  /** Requests refused for a bad signature or key (must stay 0). */
  badRequests = 0;
  /** Answer the next N requests with a 503, as a gateway in an outage does. */
  failNext = 0;
  private server?: Server;
  private seq = 0;

  constructor(private readonly options: FakeGatewaysOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, payload: unknown) => {
      const text =
        typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (this.failNext > 0) {
      this.failNext--;
      return send(503, {
        error: { type: 'api_error', message: 'unavailable' },
      });
    }
    try {
      if (url.pathname.startsWith('/v1/'))
        return this.stripe(req, url, body, send);
      if (url.pathname === '/alipay/gateway.do') return this.alipay(body, send);
      if (url.pathname.startsWith('/bepusdt/'))
        return this.bepusdt(url, body, send);
      send(404, { error: 'not found' });
    } catch (err) {
      send(500, { error: (err as Error).message });
    }
  }

  private stripe(
    req: IncomingMessage,
    url: URL,
    body: string,
    send: (status: number, payload: unknown) => void,
  ) {
    if (
      req.headers.authorization !== `Bearer ${this.options.stripeSecretKey}`
    ) {
      this.badRequests++;
      return send(401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key' },
      });
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const form = new URLSearchParams(body);
      const id = `cs_test_${++this.seq}${Date.now()}`;
      const session: FakeStripeSession = {
        id,
        object: 'checkout.session',
        client_reference_id: form.get('client_reference_id'),
        metadata: { tradeno: form.get('metadata[tradeno]') ?? '' },
        amount_total: Number(
          form.get('line_items[0][price_data][unit_amount]'),
        ),
        currency: form.get('line_items[0][price_data][currency]') ?? '',
        payment_status: 'unpaid',
        status: 'open',
        payment_intent: null,
        url: `https://checkout.stripe.test/c/pay/${id}`,
      };
      this.stripeSessions.set(id, session);
      return send(200, session);
    }
    const m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const session = this.stripeSessions.get(decodeURIComponent(m[1]));
      if (!session)
        return send(404, {
          error: {
            type: 'invalid_request_error',
            message: 'No such checkout.session',
          },
        });
      return send(200, session);
    }
    send(404, {
      error: {
        type: 'invalid_request_error',
        message: 'Unrecognized request URL',
      },
    });
  }

  private alipay(
    body: string,
    send: (status: number, payload: unknown) => void,
  ) {
    const form = Object.fromEntries(new URLSearchParams(body));
    const content = Object.keys(form)
      .filter((k) => k !== 'sign' && form[k] !== '')
      .sort()
      .map((k) => `${k}=${form[k]}`)
      .join('&');
    const valid = createVerify('RSA-SHA256')
      .update(content, 'utf8')
      .verify(this.options.alipayAppPublicKey, form.sign ?? '', 'base64');
    const key = `${(form.method ?? '').replaceAll('.', '_')}_response`;
    if (!valid || form.sign_type !== 'RSA2') {
      this.badRequests++;
      // Alipay answers a bad signature unsigned.
      return send(200, {
        [key]: {
          code: '40002',
          msg: 'Invalid Arguments',
          sub_code: 'isv.invalid-signature',
        },
      });
    }
    const biz = JSON.parse(form.biz_content ?? '{}') as Record<string, string>;
    if (form.method === 'alipay.trade.precreate') {
      this.alipayTrades.set(biz.out_trade_no, {
        out_trade_no: biz.out_trade_no,
        total_amount: biz.total_amount,
        notify_url: form.notify_url ?? '',
        trade_no: `2026${++this.seq}${Date.now()}`,
        trade_status: 'WAIT_BUYER_PAY',
      });
      return this.signedAlipay(send, key, {
        code: '10000',
        msg: 'Success',
        out_trade_no: biz.out_trade_no,
        qr_code: `https://qr.alipay.com/bax0${this.seq}`,
      });
    }
    if (form.method === 'alipay.trade.query') {
      const trade = this.alipayTrades.get(biz.out_trade_no);
      if (!trade || trade.trade_status === 'WAIT_BUYER_PAY')
        return this.signedAlipay(send, key, {
          code: '40004',
          msg: 'Business Failed',
          sub_code: 'ACQ.TRADE_NOT_EXIST',
          sub_msg: '交易不存在',
        });
      return this.signedAlipay(send, key, {
        code: '10000',
        msg: 'Success',
        out_trade_no: trade.out_trade_no,
        trade_no: trade.trade_no,
        trade_status: trade.trade_status,
        total_amount: trade.total_amount,
        buyer_logon_id: 'buy***@example.com',
      });
    }
    send(200, {
      [key]: {
        code: '40004',
        msg: 'Business Failed',
        sub_code: 'ACQ.INVALID_METHOD',
      },
    });
  }

  /** `{"<method>_response":{...},"sign":"..."}`, signed over the node's exact text. */
  private signedAlipay(
    send: (status: number, payload: unknown) => void,
    key: string,
    node: Record<string, string>,
  ) {
    const nodeText = JSON.stringify(node);
    const sign = createSign('RSA-SHA256')
      .update(nodeText, 'utf8')
      .sign(this.options.alipayPrivateKey, 'base64');
    send(200, `{"${key}":${nodeText},"sign":"${sign}"}`);
  }

  private bepusdt(
    url: URL,
    body: string,
    send: (status: number, payload: unknown) => void,
  ) {
    if (url.pathname === '/bepusdt/api/v1/order/create-transaction') {
      const data = JSON.parse(body) as Record<string, unknown>;
      if (
        data.signature !== bepusdtSignForTest(data, this.options.bepusdtToken)
      ) {
        this.badRequests++;
        return send(200, { status_code: 400, message: '签名错误', data: null });
      }
      const tradeId = `T${++this.seq}${Date.now()}`;
      this.bepusdtOrders.set(tradeId, {
        trade_id: tradeId,
        order_id: String(data.order_id),
        amount: Number(data.amount),
        notify_url: String(data.notify_url),
        status: 1,
      });
      return send(200, {
        status_code: 200,
        message: 'success',
        data: {
          trade_id: tradeId,
          order_id: data.order_id,
          amount: String(data.amount),
          actual_amount: (Number(data.amount) / 7.2).toFixed(2),
          token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
          expiration_time: 1200,
          payment_url: `${url.origin}/bepusdt/pay/checkout-counter/${tradeId}`,
        },
        request_id: '',
      });
    }
    const m = /^\/bepusdt\/pay\/check-status\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const order = this.bepusdtOrders.get(m[1]);
      if (!order) return send(200, { status_code: 400, message: '订单不存在' });
      return send(200, {
        trade_id: order.trade_id,
        status: order.status,
        return_url: '',
      });
    }
    send(404, { error: 'not found' });
  }
}

/**
 * The BEPUSDT signature written out from its docs, independently of the app's code: non-empty
 * parameters but `signature`, sorted, `k=v&...`, the token appended, md5 lower hex (numbers as
 * JavaScript writes them, which is Go's `%v` for the amounts used here).
 */
export function bepusdtSignForTest(
  params: Record<string, unknown>,
  token: string,
): string {
  const base = Object.keys(params)
    .filter(
      (k) =>
        k !== 'signature' &&
        params[k] !== '' &&
        params[k] !== null &&
        params[k] !== undefined,
    )
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  return createHash('md5')
    .update(base + token)
    .digest('hex');
}
