import { Injectable, Logger } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';
import { toCents } from '../../common/money.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import { PaymentCreditService } from './payment-credit.service.js';
import { PaymentRepository } from './payment.repository.js';

export type NotifyOutcome = 'credited' | 'already_paid' | 'rejected' | 'error';

export interface NotifyResult {
  outcome: NotifyOutcome;
  /** The text the gateway expects (`success` / `fail` for epay). */
  reply: string;
}

const FALLBACK_REPLIES = { success: 'success', fail: 'fail' };

/**
 * A gateway callback: signature and content first (no database), then the order, its gateway
 * and the exact amount, then the one crediting path. Anything wrong changes nothing and answers `fail`.
 */
@Injectable()
export class PaymentNotifyService {
  private readonly logger = new Logger(PaymentNotifyService.name);

  constructor(
    private readonly gateways: GatewayRegistry,
    private readonly orders: PaymentRepository,
    private readonly credit: PaymentCreditService,
  ) {}

  /** Handles one notify of `gatewayName` with its query/body parameters. */
  async handle(
    gatewayName: string,
    params: Record<string, unknown>,
  ): Promise<NotifyResult> {
    const gateway = this.gateways.get(gatewayName);
    const replies = gateway?.replies ?? FALLBACK_REPLIES;
    const reject = (reason: string, order?: string | number): NotifyResult => {
      // Never the key or the signature: the reason, the gateway and which order.
      this.logger.warn(
        `Payment notify rejected (gateway ${gatewayName.slice(0, 32)}, order ${order ?? 'unknown'}): ${reason}`,
      );
      return { outcome: 'rejected', reply: replies.fail };
    };
    if (!gateway) return reject('unknown or disabled gateway');
    const verified = gateway.verifyNotify(params);
    if (!verified.ok) return reject(verified.reason, verified.tradeno);
    const { tradeno, amountCents, callbackNo } = verified.notify;
    const order = await this.orders.findByTradeno(tradeno);
    if (!order) return reject('unknown order', tradeno);
    // One merchant key signs for several gateway names (epay: alipay, wechat, epay): a valid
    // signature alone does not say which order it may pay, the order's own gateway does.
    if (order.gateway !== gateway.name)
      return reject(
        `the order belongs to gateway ${order.gateway ?? 'none'}`,
        order.id,
      );
    if (toCents(order.total) !== amountCents)
      return reject(
        `amount ${amountCents} cents differs from the order's ${order.total}`,
        order.id,
      );
    try {
      const result = await this.credit.creditPaidOrder({
        orderId: order.id,
        gateway: gateway.name,
        callbackNo,
        via: 'notify',
      });
      return {
        outcome: result.credited ? 'credited' : 'already_paid',
        reply: replies.success,
      };
    } catch (err) {
      if (err instanceof DomainException) return reject(err.message, order.id);
      this.logger.error(
        `Payment notify for order ${order.id} failed: ${(err as Error).message}`,
        (err as Error).stack,
      );
      return { outcome: 'error', reply: replies.fail };
    }
  }
}
