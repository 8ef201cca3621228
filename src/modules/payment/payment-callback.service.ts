import { Injectable, Logger, Optional } from '@nestjs/common';
import { isDependencyUnavailable } from '../../common/errors/dependency-errors.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { formatCents, toCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import type {
  CallbackVerification,
  PaymentGateway,
  VerifiedPayment,
} from './gateways/payment-gateway.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PaymentCallbackRepository } from './payment-callback.repository.js';
import { PaymentCreditService } from './payment-credit.service.js';
import { PaymentRepository } from './payment.repository.js';

/** What came of one callback; `credited`/`already_paid`/`ignored` are acknowledged. */
export type CallbackOutcome =
  | 'credited'
  | 'already_paid'
  | 'ignored'
  | 'rejected'
  | 'mismatch'
  | 'unavailable'
  | 'error';

export type CallbackSource = 'notify' | 'reconcile';

export interface SettledCallback {
  outcome: CallbackOutcome;
  orderId?: number;
}

/** What is recorded besides the outcome. */
interface Seen {
  reason?: string;
  orderId?: number;
  tradeno?: string;
  payment?: VerifiedPayment;
}

/**
 * One authentic-or-not gateway message (a notify, or a reconciliation answer) against our
 * orders: the order must exist, belong to this gateway, and be paid in exactly its amount and
 * currency; only then the one crediting path runs. Every attempt is recorded and counted.
 */
@Injectable()
export class PaymentCallbackService {
  private readonly logger = new Logger(PaymentCallbackService.name);

  constructor(
    private readonly orders: PaymentRepository,
    private readonly credit: PaymentCreditService,
    private readonly callbacks: PaymentCallbackRepository,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * Settles the verification of `gatewayName`'s message (`gateway` undefined: no such enabled
   * gateway). Never throws: our own failures are the `error` outcome, an unreachable database
   * `unavailable` (the gateway retries either).
   */
  async settle(
    gatewayName: string,
    gateway: PaymentGateway | undefined,
    verification: CallbackVerification | null,
    source: CallbackSource,
  ): Promise<SettledCallback> {
    const name = gatewayName.slice(0, 32);
    const finish = (outcome: CallbackOutcome, seen: Seen) =>
      this.finish(name, gateway !== undefined, source, outcome, seen);
    if (!gateway || !verification)
      return finish('rejected', { reason: 'unknown or disabled gateway' });
    if (verification.ok === false) return finish('rejected', verification);
    if (verification.ok === 'ignored') return finish('ignored', verification);
    const payment = verification.payment;
    const seen: Seen = { tradeno: payment.tradeno, payment };
    try {
      const found = await this.orders.findForCallback(payment.tradeno);
      if (!found)
        return finish('rejected', { ...seen, reason: 'unknown order' });
      const { order } = found;
      seen.orderId = order.id;
      // A signature vouches for its gateway only: another gateway's order is not its to pay.
      if (order.gateway !== gateway.name)
        return finish('rejected', {
          ...seen,
          reason: `the order belongs to gateway ${order.gateway ?? '(none)'}`,
        });
      if (!payment.final)
        return finish('ignored', { ...seen, reason: 'payment not final' });
      const currency = found.checkoutCurrency ?? gateway.currency;
      if (payment.currency !== currency)
        return finish('mismatch', {
          ...seen,
          reason: `currency ${payment.currency.slice(0, 8)} differs from the order's ${currency ?? '(none)'}`,
        });
      if (payment.amountCents !== toCents(order.total))
        return finish('mismatch', {
          ...seen,
          reason: `amount ${amountText(payment.amountCents)} differs from the order's ${order.total}`,
        });
      const result = await this.credit.creditReadOrder(order, {
        orderId: order.id,
        gateway: gateway.name,
        callbackNo: payment.reference,
        via: source === 'notify' ? 'notify' : 'reconcile',
      });
      return finish(result.credited ? 'credited' : 'already_paid', seen);
    } catch (err) {
      if (err instanceof DomainException)
        return finish('rejected', { ...seen, reason: err.message });
      // The database (or Redis) is unreachable: the gateway is asked to call again (503).
      if (isDependencyUnavailable(err)) {
        this.logger.warn(
          `Payment ${source} for order ${seen.orderId ?? payment.tradeno} deferred, a dependency is down: ${(err as Error).message}`,
        );
        return finish('unavailable', { ...seen, reason: 'dependency down' });
      }
      this.logger.error(
        `Payment ${source} for order ${seen.orderId ?? payment.tradeno} failed: ${(err as Error).message}`,
        (err as Error).stack,
      );
      return finish('error', { ...seen, reason: 'internal error' });
    }
  }

  private async finish(
    gateway: string,
    known: boolean,
    source: CallbackSource,
    outcome: CallbackOutcome,
    seen: Seen,
  ): Promise<SettledCallback> {
    const reason = seen.reason?.slice(0, 255) ?? null;
    if (outcome === 'rejected' || outcome === 'mismatch')
      // Never the key or the signature: the reason, the gateway and which order.
      this.logger.warn(
        `Payment ${source} ${outcome} (gateway ${gateway}, order ${seen.orderId ?? seen.tradeno ?? 'unknown'}): ${reason}`,
      );
    const p = seen.payment;
    try {
      await this.callbacks.insert({
        gateway,
        source,
        paylistId: seen.orderId ?? null,
        tradeno: seen.tradeno?.slice(0, 64) ?? null,
        outcome,
        reason,
        amount:
          p &&
          Number.isSafeInteger(p.amountCents) &&
          Math.abs(p.amountCents) < 1e12
            ? formatCents(p.amountCents)
            : null,
        currency: p?.currency.slice(0, 8) ?? null,
        reference: p?.reference?.slice(0, 128) ?? null,
        detail: p?.detail ? JSON.stringify(p.detail) : null,
        createdAt: unixNow(),
      });
    } catch (err) {
      // The record must not change the answer: the money path has already been decided.
      this.logger.error(
        `Recording a payment callback failed: ${(err as Error).message}`,
      );
    }
    if (source === 'notify')
      this.metrics?.recordPaymentCallback(known ? gateway : 'unknown', outcome);
    return { outcome, orderId: seen.orderId };
  }
}

function amountText(cents: number): string {
  return Number.isSafeInteger(cents) ? formatCents(cents) : String(cents);
}
