import Stripe from 'stripe';
import {
  headerOf,
  type CallbackRequest,
  type CallbackVerification,
  type Checkout,
  type PayableOrder,
  type PaymentGateway,
  type ReconcilableOrder,
  type VerifiedPayment,
} from './payment-gateway.js';
import { fromMinorUnits, toMinorUnits } from './minor-units.js';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** ISO 4217, lower case as Stripe writes it ("usd"). */
  currency: string;
  /** The API base URL (https://api.stripe.com; a local fake in tests). */
  apiUrl: string;
  timeoutMs: number;
}

/** Stripe's default: a signature older than five minutes is refused. */
const WEBHOOK_TOLERANCE_S = 300;

/** The fields of a Checkout Session we read; stable across API versions. */
interface SessionFields {
  id?: unknown;
  object?: unknown;
  client_reference_id?: unknown;
  metadata?: { tradeno?: unknown } | null;
  payment_status?: unknown;
  amount_total?: unknown;
  currency?: unknown;
  payment_intent?: unknown;
}

/** The events that may carry money for an order; any other is acknowledged and ignored. */
const SESSION_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
]);

/**
 * Stripe Checkout through the official `stripe` package: one Checkout Session per order
 * (`client_reference_id` and `metadata.tradeno` = our tradeno), the webhook verified by
 * `webhooks.constructEvent` on the raw body. The event is read loosely (no API-version
 * typing), so an endpoint on another API version than this package's still works.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe';
  readonly replies = { success: 'ok', fail: 'fail' };
  readonly currency: string;
  private readonly client: Stripe;

  constructor(
    private readonly settings: StripeSettings,
    private readonly urls: { notifyUrl: string; returnUrl: string },
  ) {
    this.currency = settings.currency.toUpperCase();
    const api = new URL(settings.apiUrl);
    this.client = new Stripe(settings.secretKey, {
      host: api.hostname,
      port: api.port || (api.protocol === 'http:' ? 80 : 443),
      protocol: api.protocol === 'http:' ? 'http' : 'https',
      timeout: settings.timeoutMs,
      maxNetworkRetries: 1,
      telemetry: false,
    });
  }

  async createCheckout(order: PayableOrder): Promise<Checkout> {
    const session = await this.client.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: order.tradeno,
      metadata: { tradeno: order.tradeno },
      payment_intent_data: { metadata: { tradeno: order.tradeno } },
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: this.settings.currency,
            unit_amount: toMinorUnits(order.total, this.currency),
            product_data: { name: `Top-up ${order.total}` },
          },
        },
      ],
      success_url: this.urls.returnUrl,
      cancel_url: this.urls.returnUrl,
    });
    return { paymentUrl: session.url ?? null, ref: session.id };
  }

  verifyCallback(req: CallbackRequest): CallbackVerification {
    const signature = headerOf(req.headers, 'stripe-signature');
    if (!signature) return { ok: false, reason: 'no Stripe-Signature header' };
    if (!req.rawBody || req.rawBody.length === 0)
      return { ok: false, reason: 'no body' };
    let event: { type?: unknown; data?: { object?: unknown } };
    try {
      event = this.client.webhooks.constructEvent(
        req.rawBody,
        signature,
        this.settings.webhookSecret,
        WEBHOOK_TOLERANCE_S,
      ) as unknown as typeof event;
    } catch (err) {
      // The library's message names the check that failed (signature, timestamp), never the secret.
      return {
        ok: false,
        reason: `webhook not verified: ${(err as Error).message.split('\n')[0].slice(0, 160)}`,
      };
    }
    const type = typeof event.type === 'string' ? event.type : '(none)';
    if (!SESSION_EVENTS.has(type))
      return { ok: 'ignored', reason: `event ${type.slice(0, 64)}` };
    return this.readSession(event.data?.object as SessionFields | undefined);
  }

  /** The session recorded at checkout, retrieved: paid ones are credited like a webhook. */
  async queryPayment(
    order: ReconcilableOrder,
  ): Promise<CallbackVerification | null> {
    if (!order.checkoutRef) return null;
    const session = await this.client.checkout.sessions.retrieve(
      order.checkoutRef,
    );
    return this.readSession(session as unknown as SessionFields);
  }

  private readSession(
    session: SessionFields | undefined,
  ): CallbackVerification {
    if (!session || session.object !== 'checkout.session')
      return { ok: false, reason: 'the event carries no checkout session' };
    const ref = session.client_reference_id;
    const meta = session.metadata?.tradeno;
    const tradeno = typeof ref === 'string' && ref ? ref : undefined;
    if (!tradeno) return { ok: false, reason: 'no client_reference_id' };
    if (typeof meta === 'string' && meta !== tradeno)
      return {
        ok: false,
        reason: 'client_reference_id and metadata.tradeno differ',
        tradeno,
      };
    if (
      typeof session.amount_total !== 'number' ||
      !Number.isSafeInteger(session.amount_total) ||
      typeof session.currency !== 'string'
    )
      return { ok: false, reason: 'no amount_total or currency', tradeno };
    const currency = session.currency.toUpperCase();
    const payment: VerifiedPayment = {
      tradeno,
      amountCents: fromMinorUnits(session.amount_total, currency),
      currency,
      reference: typeof session.id === 'string' ? session.id : null,
      // `unpaid` (an async method still pending) or `no_payment_required`: nothing to credit.
      final: session.payment_status === 'paid',
    };
    if (typeof session.payment_intent === 'string')
      payment.detail = { payment_intent: session.payment_intent };
    return { ok: true, payment };
  }
}
