import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { formatCents, toCents } from '../../common/money.js';
import { randomCode } from '../../common/random.js';
import { unixNow } from '../../common/time.js';
import { paymentConfig } from '../../config/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import type { Paylist } from '../../database/entities/index.js';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { ListOrdersQuery } from './dto/list-orders.dto.js';
import {
  CheckoutDto,
  CreatedOrderDto,
  OrderItemDto,
  OrderListDto,
  OrderStatusDto,
} from './dto/order.dto.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import type { PaymentGateway } from './gateways/payment-gateway.js';
import {
  orderNotFound,
  PaymentErrorCode,
  PaymentException,
} from './payment.exception.js';
import {
  ORDER_PAID,
  ORDER_UNPAID,
  PaymentRepository,
} from './payment.repository.js';

const TRADENO_ATTEMPTS = 3;

/** Top-up orders: creation, the user's views, checkout and the hourly expiry. */
@Injectable()
export class PaymentOrderService {
  constructor(
    @Inject(paymentConfig.KEY)
    private readonly config: ConfigType<typeof paymentConfig>,
    private readonly orders: PaymentRepository,
    private readonly gateways: GatewayRegistry,
  ) {}

  /** Creates an unpaid order with a random `tradeno` and the gateway's pay URL. */
  async create(userId: number, dto: CreateOrderDto): Promise<CreatedOrderDto> {
    const gateway = this.gatewayOrThrow(dto.gateway);
    const cents = toCents(dto.total);
    const [min, max] = [toCents(this.config.min), toCents(this.config.max)];
    if (cents < min || cents > max) {
      const msg = `total must be between ${formatCents(min)} and ${formatCents(max)}`;
      throw new PaymentException(PaymentErrorCode.AMOUNT_OUT_OF_RANGE, msg, {
        total: msg,
      });
    }
    const order = await this.insertOrder(userId, cents, gateway.name);
    return CreatedOrderDto.from(order, gateway.paymentUrl(order));
  }

  async list(userId: number, query: ListOrdersQuery): Promise<OrderListDto> {
    const [rows, count] = await this.orders.listForUser(
      userId,
      query.status,
      query.limit,
      query.offset,
    );
    return { orders: rows.map((o) => OrderItemDto.from(o)), count };
  }

  async status(userId: number, orderId: number): Promise<OrderStatusDto> {
    return OrderStatusDto.from(await this.findOwned(userId, orderId));
  }

  /** Where to pay an unpaid order: the gateway's URL (the controller redirects) or none. */
  async checkout(userId: number, orderId: number): Promise<CheckoutDto> {
    const order = await this.findOwned(userId, orderId);
    if (order.status === ORDER_PAID)
      throw new PaymentException(
        PaymentErrorCode.ORDER_ALREADY_PAID,
        'This order is already paid',
      );
    if (order.status !== ORDER_UNPAID)
      throw new PaymentException(
        PaymentErrorCode.ORDER_NOT_PAYABLE,
        'This order has expired; create a new one',
      );
    const gateway = this.gatewayOrThrow(order.gateway ?? '');
    return {
      order_id: order.id,
      gateway: gateway.name,
      payment_url: gateway.paymentUrl(order),
    };
  }

  /** The owner's order (admins included: they use the admin routes); 404 otherwise. */
  async findOwned(userId: number, orderId: number): Promise<Paylist> {
    const order = await this.orders.findById(orderId);
    if (!order || order.userid !== userId) throw orderNotFound();
    return order;
  }

  /**
   * Hourly step: unpaid orders older than `PAYMENT_EXPIRE_S` become expired (-1), in one
   * set-based UPDATE; rows are never deleted. A dry run counts them.
   */
  async expireUnpaidOrders(ctx: StepContext): Promise<number> {
    const cutoff = unixNow(ctx.now) - this.config.expireS;
    return ctx.dryRun
      ? this.orders.countExpirable(cutoff)
      : this.orders.expireUnpaid(cutoff);
  }

  /** The enabled gateway of that name, or 400 listing the enabled ones. */
  gatewayOrThrow(name: string): PaymentGateway {
    const gateway = this.gateways.get(name);
    if (gateway) return gateway;
    const enabled = this.gateways.enabledNames();
    const msg = enabled.length
      ? `gateway must be one of: ${enabled.join(', ')}`
      : 'no payment gateway is enabled';
    throw new PaymentException(PaymentErrorCode.GATEWAY_UNAVAILABLE, msg, {
      gateway: msg,
    });
  }

  private async insertOrder(
    userId: number,
    cents: number,
    gateway: string,
  ): Promise<Paylist> {
    for (let attempt = 1; ; attempt++) {
      const values = {
        userid: userId,
        total: formatCents(cents),
        tradeno: `${unixNow()}${randomCode(24)}`,
        datetime: unixNow(),
        gateway,
      };
      try {
        const id = await this.orders.insert(values);
        return {
          id,
          ...values,
          status: ORDER_UNPAID,
          paidAt: null,
          callbackNo: null,
        };
      } catch (err) {
        // A random 24-character collision is astronomically unlikely, but the key is there.
        if (!isUniqueViolation(err) || attempt >= TRADENO_ATTEMPTS) throw err;
      }
    }
  }
}
