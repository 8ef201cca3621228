import { centsToNumber, toCents } from '../../../common/money.js';
import type { Paylist } from '../../../database/entities/index.js';
import type { Checkout } from '../gateways/payment-gateway.js';

const money = (total: string): number => centsToNumber(toCents(total));

export class CreatedOrderDto {
  order_id: number;
  total: number;
  status: number;
  tradeno: string;
  /** Unix seconds of creation. */
  datetime: number;
  /** Where to pay; null for the manual gateway. */
  payment_url: string | null;
  /** The QR code's content to show (Alipay face-to-face); null otherwise. */
  qr_code: string | null;

  static from(order: Paylist, checkout: Checkout): CreatedOrderDto {
    return {
      order_id: order.id,
      total: money(order.total),
      status: order.status,
      tradeno: order.tradeno,
      datetime: order.datetime,
      payment_url: checkout.paymentUrl,
      qr_code: checkout.qrCode ?? null,
    };
  }
}

export class OrderItemDto {
  id: number;
  total: number;
  status: number;
  tradeno: string;
  datetime: number;
  gateway: string | null;

  static from(order: Paylist): OrderItemDto {
    return {
      id: order.id,
      total: money(order.total),
      status: order.status,
      tradeno: order.tradeno,
      datetime: order.datetime,
      gateway: order.gateway,
    };
  }
}

export class OrderListDto {
  orders: OrderItemDto[];
  /** All of the user's orders matching the filter (not just this page). */
  count: number;
}

export class OrderStatusDto {
  order_id: number;
  status: number;
  total: number;
  tradeno: string;

  static from(order: Paylist): OrderStatusDto {
    return {
      order_id: order.id,
      status: order.status,
      total: money(order.total),
      tradeno: order.tradeno,
    };
  }
}

export class CheckoutDto {
  order_id: number;
  gateway: string;
  /** Null when the gateway has no online payment (manual: an admin confirms it). */
  payment_url: string | null;
  /** The QR code's content to show (Alipay face-to-face); null otherwise. */
  qr_code: string | null;
}

/** An enabled gateway as the top-up page lists it. */
export class GatewayInfoDto {
  name: string;
  /** ISO 4217 code the order is charged in; null for the manual gateway. */
  currency: string | null;
  /** Smallest and largest top-up through this gateway (its block's, else PAYMENT_MIN / PAYMENT_MAX). */
  min: number;
  max: number;
}

export class GatewayListDto {
  gateways: GatewayInfoDto[];
}

export class DebugConfirmedDto {
  order_id: number;
  amount: number;
  new_balance: number;
}
