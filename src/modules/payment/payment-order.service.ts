import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { formatCents, toCents } from '../../common/money.js';
import { randomCode } from '../../common/random.js';
import { unixNow } from '../../common/time.js';
import { paymentConfig } from '../../config/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { retrying } from '../../database/retry.js';
import type { Paylist } from '../../database/entities/index.js';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { ListOrdersQuery } from './dto/list-orders.dto.js';
import {
  CheckoutDto,
  CreatedOrderDto,
  GatewayListDto,
  OrderItemDto,
  OrderListDto,
  OrderStatusDto,
} from './dto/order.dto.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import type { Checkout, PaymentGateway } from './gateways/payment-gateway.js';
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
  private readonly logger = new Logger(PaymentOrderService.name);

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
    const limits = this.gateways.limitsOf(gateway);
    const [min, max] = [toCents(limits.min), toCents(limits.max)];
    if (cents < min || cents > max) {
      const msg = `total must be between ${formatCents(min)} and ${formatCents(max)} for ${gateway.name}`;
      throw new PaymentException(PaymentErrorCode.AMOUNT_OUT_OF_RANGE, msg, {
        total: msg,
      });
    }
    const order = await this.insertOrder(userId, cents, gateway.name);
    return CreatedOrderDto.from(
      order,
      await this.startCheckout(gateway, order),
    );
  }

  /** The enabled gateways with their currency and their own top-up bounds. */
  listGateways(): GatewayListDto {
    return {
      gateways: this.gateways.all().map((g) => ({
        name: g.name,
        currency: g.currency,
        ...this.gateways.limitsOf(g),
      })),
    };
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
    // The checkout started at creation, so one order never has two payable sessions.
    const saved = await this.orders.findCheckout(order.id);
    const checkout: Checkout = saved
      ? { paymentUrl: saved.payUrl, qrCode: saved.qrCode }
      : await this.startCheckout(gateway, order);
    return {
      order_id: order.id,
      gateway: gateway.name,
      payment_url: checkout.paymentUrl,
      qr_code: checkout.qrCode ?? null,
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

  /**
   * Asks the gateway to start the payment (outside any transaction) and records its answer.
   * A gateway that fails leaves the order unpaid (it expires) and answers 502.
   */
  private async startCheckout(
    gateway: PaymentGateway,
    order: Paylist,
  ): Promise<Checkout> {
    let checkout: Checkout;
    try {
      checkout = await gateway.createCheckout(order);
    } catch (err) {
      this.logger.warn(
        `Gateway ${gateway.name} could not start order ${order.id}: ${(err as Error).message}`,
      );
      throw new PaymentException(
        PaymentErrorCode.GATEWAY_FAILED,
        'The payment gateway is unavailable; try again later',
      );
    }
    if (gateway.currency === null) return checkout;
    try {
      await this.orders.insertCheckout({
        paylistId: order.id,
        gateway: gateway.name,
        currency: gateway.currency,
        ref: checkout.ref ?? null,
        payUrl: checkout.paymentUrl,
        qrCode: checkout.qrCode ?? null,
        createdAt: unixNow(),
      });
    } catch (err) {
      // Two checkouts of one order raced: the first one recorded is the order's.
      if (!isUniqueViolation(err)) throw err;
      const first = await this.orders.findCheckout(order.id);
      if (first) return { paymentUrl: first.payUrl, qrCode: first.qrCode };
    }
    return checkout;
  }

  private async insertOrder(
    userId: number,
    cents: number,
    gateway: string,
  ): Promise<Paylist> {
    // A random 24-character collision is astronomically unlikely, but the key is there.
    return retrying(
      { attempts: TRADENO_ATTEMPTS, retryOn: isUniqueViolation },
      async () => {
        const values = {
          userid: userId,
          total: formatCents(cents),
          tradeno: `${unixNow()}${randomCode(24)}`,
          datetime: unixNow(),
          gateway,
        };
        const id = await this.orders.insert(values);
        return {
          id,
          ...values,
          status: ORDER_UNPAID,
          paidAt: null,
          callbackNo: null,
        };
      },
    );
  }
}
