import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { unixNow } from '../../common/time.js';
import { paymentConfig } from '../../config/index.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import type { CallbackVerification } from './gateways/payment-gateway.js';
import { PaymentCallbackService } from './payment-callback.service.js';
import { PaymentRepository } from './payment.repository.js';

/** Orders asked about per run: the oldest first, so a backlog drains over a few runs. */
const BATCH = 500;

export interface ReconcileSummary {
  /** Orders whose gateway was asked. */
  asked: number;
  /** Orders credited by this run. */
  credited: number;
  /** Gateways that could not answer for an order. */
  failed: number;
}

/**
 * Reconciliation: the gateways that can be asked (Stripe, Alipay F2F, BEPUSDT) are asked
 * about recent unpaid orders, and an answer that says paid goes through the same checks and
 * the same crediting path as a callback, so a lost callback never leaves money uncredited
 * and a late one arriving at the same moment credits nothing more.
 */
@Injectable()
export class PaymentReconcileService {
  private readonly logger = new Logger(PaymentReconcileService.name);

  constructor(
    @Inject(paymentConfig.KEY)
    private readonly config: ConfigType<typeof paymentConfig>,
    private readonly gateways: GatewayRegistry,
    private readonly orders: PaymentRepository,
    private readonly callbacks: PaymentCallbackService,
  ) {}

  /** Hourly step: how many orders it credited (a dry run: how many it would ask about). */
  async reconcileOrders(ctx: StepContext): Promise<number> {
    if (ctx.dryRun) return (await this.candidates(ctx.now)).length;
    return (await this.reconcile(ctx.now)).credited;
  }

  /** One pass over the recent unpaid orders of every gateway that can be asked. */
  async reconcile(now: Date = new Date()): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { asked: 0, credited: 0, failed: 0 };
    for (const { order, checkoutRef } of await this.candidates(now)) {
      const gateway = this.gateways.get(order.gateway ?? '');
      if (gateway?.queryPayment === undefined) continue;
      summary.asked++;
      let answer: CallbackVerification | null;
      try {
        // Network, outside any transaction; one order at a time spares the gateway's limits.
        answer = await gateway.queryPayment({
          id: order.id,
          tradeno: order.tradeno,
          total: order.total,
          checkoutRef,
        });
      } catch (err) {
        summary.failed++;
        this.logger.warn(
          `Reconciliation: ${gateway.name} could not answer for order ${order.id}: ${(err as Error).message}`,
        );
        continue;
      }
      // Unknown to the gateway, or not paid yet: nothing to record every hour.
      if (!answer || answer.ok === 'ignored') continue;
      if (answer.ok === true && !answer.payment.final) continue;
      const settled = await this.callbacks.settle(
        gateway.name,
        gateway,
        answer,
        'reconcile',
      );
      if (settled.outcome === 'credited') summary.credited++;
    }
    if (summary.credited > 0 || summary.failed > 0)
      this.logger.log(
        `Reconciliation: asked ${summary.asked}, credited ${summary.credited}, failed ${summary.failed}`,
      );
    return summary;
  }

  private candidates(now: Date) {
    const names = this.gateways
      .all()
      .filter((g) => g.queryPayment !== undefined)
      .map((g) => g.name);
    const since = unixNow(now) - this.config.reconcileWindowS;
    return this.orders.findReconcilable(names, since, BATCH);
  }
}
