import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { toCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import {
  isTransientLockError,
  isUniqueViolation,
} from '../../database/db-errors.js';
import { Paylist } from '../../database/entities/index.js';
import { retrying } from '../../database/retry.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ReferralService } from '../referral/referral.service.js';
import {
  orderNotFound,
  PaymentErrorCode,
  PaymentException,
} from './payment.exception.js';
import { ORDER_PAID, PaymentRepository } from './payment.repository.js';

export type CreditVia = 'notify' | 'reconcile' | 'debug' | 'admin';

export interface CreditRequest {
  orderId: number;
  /** Recorded on the order (`paylist.gateway`); null keeps none. */
  gateway: string | null;
  /** The gateway's own trade number. */
  callbackNo?: string | null;
  via: CreditVia;
  /**
   * Read the payer's balance after the top-up, in the transaction, for a reply that shows it
   * (debug confirm, admin mark-paid); a gateway's callback needs none and skips the statement.
   */
  reportBalance?: boolean;
}

export interface CreditResult {
  /** False: the order was already paid, nothing changed. */
  credited: boolean;
  order: Paylist;
  /** The payer's balance after the top-up (only when credited and `reportBalance` asked for it). */
  balanceCents?: number;
  /** Referral commission paid on this order, all levels (only when credited). */
  commissionCents?: number;
}

const ATTEMPTS = 3;

/**
 * The ONE crediting path (gateway notify, debug confirm, admin mark-paid): exactly once per
 * order, however often and however concurrently it is asked.
 */
@Injectable()
export class PaymentCreditService {
  private readonly logger = new Logger(PaymentCreditService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PaymentRepository,
    private readonly ledger: LedgerService,
    private readonly referral: ReferralService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * Marks the order paid with a conditional update and, only if that changed the row, credits
   * the payer and pays the referral commission — all in one transaction. Already paid → a
   * no-op with `credited: false`. Throws ORDER_NOT_FOUND for an unknown order.
   */
  async creditPaidOrder(req: CreditRequest): Promise<CreditResult> {
    const order = await this.orders.findById(req.orderId);
    if (!order) throw orderNotFound();
    return this.creditReadOrder(order, req);
  }

  /**
   * {@link creditPaidOrder} for an order the caller has just read (its id is `req.orderId`),
   * so a notify reads it once. It must have been read outside any transaction (total and owner
   * never change): on MySQL the transaction's first consistent read then happens only after it
   * holds the payer's row lock, so the commission's PAYBACK_MAX_TIMES count sees any payment
   * credited just before.
   */
  async creditReadOrder(
    order: Paylist,
    req: CreditRequest,
  ): Promise<CreditResult> {
    const result = await retrying(
      {
        attempts: ATTEMPTS,
        retryOn: (err) => {
          if (req.callbackNo && isUniqueViolation(err))
            throw this.callbackReused(req);
          return isTransientLockError(err);
        },
      },
      () =>
        this.dataSource.transaction((manager) =>
          this.creditIn(manager, order, req),
        ),
    );
    // Counted once committed: a rolled-back attempt is retried and must not count twice.
    if (result.credited)
      this.metrics?.recordOrderPaid(result.commissionCents ?? 0);
    return result;
  }

  private async creditIn(
    manager: EntityManager,
    order: Paylist,
    req: CreditRequest,
  ): Promise<CreditResult> {
    const paidAt = unixNow();
    const won = await this.orders.markPaid(manager, {
      id: order.id,
      gateway: req.gateway,
      callbackNo: req.callbackNo ?? null,
      paidAt,
    });
    if (!won) return { credited: false, order };
    const applied = await this.ledger.applyBalanceChange(manager, {
      userId: order.userid,
      amountCents: toCents(order.total),
      reason: 'topup',
      refType: 'paylist',
      refId: order.id,
    });
    if (!applied)
      throw new PaymentException(
        PaymentErrorCode.ORDER_OWNER_MISSING,
        `The owner of order ${order.id} no longer exists`,
      );
    const payouts = await this.referral.payCommission(manager, order);
    const balanceCents = req.reportBalance
      ? await this.ledger.balanceCents(manager, order.userid)
      : undefined;
    this.logger.log(
      `Order ${order.id} paid via ${req.via} (${req.gateway ?? 'no gateway'}): ` +
        `${order.total} to user ${order.userid}, ${payouts.length} commission payout(s)`,
    );
    return {
      credited: true,
      order: Object.assign(new Paylist(), order, {
        status: ORDER_PAID,
        paidAt,
        gateway: req.gateway,
        callbackNo: req.callbackNo ?? null,
      }),
      balanceCents,
      commissionCents: payouts.reduce((sum, p) => sum + p.amountCents, 0),
    };
  }

  private callbackReused(req: CreditRequest): PaymentException {
    return new PaymentException(
      PaymentErrorCode.CALLBACK_NO_REUSED,
      `Gateway trade number already recorded on another order (order ${req.orderId})`,
    );
  }
}
