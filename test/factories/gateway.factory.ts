import { createSign, generateKeyPairSync, KeyObject } from 'node:crypto';
import Stripe from 'stripe';
import { bepusdtSignForTest } from '../utils/fake-gateways.js';

/** Test key material of every gateway; keys generated per run (node:crypto). */
export interface GatewayKeys {
  stripeSecretKey: string;
  stripeWebhookSecret: string;
  alipayAppId: string;
  /** The app's pair (Panel signs requests with the private key). */
  appKeys: { privateKey: KeyObject; publicKey: KeyObject };
  /** Alipay's pair (Alipay signs notifies and answers; Panel has the public key). */
  alipayKeys: { privateKey: KeyObject; publicKey: KeyObject };
  bepusdtToken: string;
}

export function makeGatewayKeys(): GatewayKeys {
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    stripeSecretKey: 'sk_test_panel_0123456789',
    stripeWebhookSecret: 'whsec_panel_test_0123456789abcdef',
    alipayAppId: '2021000000000001',
    appKeys: rsa(),
    alipayKeys: rsa(),
    bepusdtToken: 'bepusdt-test-token-0123456789',
  };
}

const bareBase64 = (pem: string) =>
  pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

/** The config blocks of Stripe, Alipay F2F and BEPUSDT, all against the fake server at `base`. */
export function gatewayEnv(
  keys: GatewayKeys,
  base: string,
): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: keys.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
    STRIPE_CURRENCY: 'usd',
    STRIPE_API_URL: base,
    ALIPAY_APP_ID: keys.alipayAppId,
    // One key as bare base64 (PKCS#8), the other as PEM: both forms operators paste.
    ALIPAY_PRIVATE_KEY: bareBase64(
      keys.appKeys.privateKey
        .export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ),
    ALIPAY_PUBLIC_KEY: keys.alipayKeys.publicKey
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    ALIPAY_GATEWAY_URL: `${base}/alipay/gateway.do`,
    BEPUSDT_URL: `${base}/bepusdt`,
    BEPUSDT_TOKEN: keys.bepusdtToken,
  };
}

/** A Stripe webhook delivery: the JSON body and its `Stripe-Signature` from the package's own helper. */
export interface StripeDelivery {
  payload: string;
  header: string;
}

const stripe = new Stripe('sk_test_helper_only');

export function stripeSessionEvent(
  session: {
    tradeno: string;
    amountTotal: number;
    currency?: string;
    paymentStatus?: 'paid' | 'unpaid';
    id?: string;
  },
  options: {
    type?: string;
    apiVersion?: string;
    secret: string;
    timestamp?: number;
  },
): StripeDelivery {
  const id = session.id ?? `cs_test_${session.tradeno.slice(-16)}`;
  const event = {
    id: `evt_${id}`,
    object: 'event',
    api_version: options.apiVersion ?? '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: options.type ?? 'checkout.session.completed',
    data: {
      object: {
        id,
        object: 'checkout.session',
        client_reference_id: session.tradeno,
        metadata: { tradeno: session.tradeno },
        amount_total: session.amountTotal,
        currency: session.currency ?? 'usd',
        payment_status: session.paymentStatus ?? 'paid',
        status: 'complete',
        payment_intent: `pi_${id}`,
      },
    },
  };
  const payload = JSON.stringify(event);
  return {
    payload,
    header: stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret,
      timestamp: options.timestamp,
    }),
  };
}

/** An Alipay asynchronous notify (trade_status_sync), RSA2-signed with Alipay's private key. */
export function alipayNotify(
  trade: { tradeno: string; totalAmount: string; tradeNo?: string },
  keys: GatewayKeys,
  overrides: Record<string, string> = {},
  signWith: KeyObject = keys.alipayKeys.privateKey,
): Record<string, string> {
  const params: Record<string, string> = {
    notify_time: '2026-12-01 12:00:00',
    notify_type: 'trade_status_sync',
    notify_id: `n${trade.tradeno.slice(-20)}`,
    app_id: keys.alipayAppId,
    charset: 'utf-8',
    version: '1.0',
    trade_no: trade.tradeNo ?? `2026${trade.tradeno.slice(-16)}`,
    out_trade_no: trade.tradeno,
    total_amount: trade.totalAmount,
    receipt_amount: trade.totalAmount,
    buyer_logon_id: 'buy***@example.com',
    trade_status: 'TRADE_SUCCESS',
    subject: `Top-up ${trade.totalAmount}`,
    ...overrides,
  };
  const content = Object.keys(params)
    .filter((k) => params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const sign = createSign('RSA-SHA256')
    .update(content, 'utf8')
    .sign(signWith, 'base64');
  return { ...params, sign, sign_type: 'RSA2' };
}

/** A BEPUSDT callback body as their docs give it, signed with the API token. */
export function bepusdtCallback(
  order: { tradeno: string; amount: number; tradeId?: string },
  token: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    trade_id: order.tradeId ?? `T${order.tradeno.slice(-12)}`,
    order_id: order.tradeno,
    amount: order.amount,
    actual_amount: 1.39,
    token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    block_transaction_id:
      '12ef6267b42e43959795cf31808d0cc72b3d0a48953ed19c61d4b6665a341d10',
    status: 2,
    ...overrides,
  };
  return { ...body, signature: bepusdtSignForTest(body, token) };
}
