import { Injectable } from '@nestjs/common';
import { centsToNumber } from '../../common/money.js';
import {
  AdminMarkedPaidDto,
  AdminOrderDto,
  AdminOrdersQuery,
} from './dto/admin-orders.dto.js';
import {
  AdminCallbackDto,
  AdminCallbackListDto,
  AdminCallbacksQuery,
} from './dto/admin-callbacks.dto.js';
import { PaymentCallbackRepository } from './payment-callback.repository.js';
import { PaymentCreditService } from './payment-credit.service.js';
import { PaymentRepository } from './payment.repository.js';

/** Operators' view of every order, and marking one paid through the one crediting path. */
@Injectable()
export class PaymentAdminService {
  constructor(
    private readonly orders: PaymentRepository,
    private readonly credit: PaymentCreditService,
    private readonly callbacks: PaymentCallbackRepository,
  ) {}

  /** Every recorded callback attempt, newest first. */
  async listCallbacks(q: AdminCallbacksQuery): Promise<AdminCallbackListDto> {
    const [rows, count] = await this.callbacks.list({
      gateway: q.gateway,
      outcome: q.outcome,
      orderId: q.order_id,
      limit: q.limit,
      offset: q.offset,
    });
    return { callbacks: rows.map((c) => AdminCallbackDto.from(c)), count };
  }

  async list(
    q: AdminOrdersQuery,
  ): Promise<{ orders: AdminOrderDto[]; count: number }> {
    const [rows, count] = await this.orders.listAll({
      status: q.status,
      userId: q.user_id,
      gateway: q.gateway,
      limit: q.limit,
      offset: q.offset,
    });
    return { orders: rows.map((o) => AdminOrderDto.from(o)), count };
  }

  /** Idempotent: a second call on a paid order answers `credited: false` and changes nothing. */
  async markPaid(
    orderId: number,
    gateway: string | undefined,
  ): Promise<AdminMarkedPaidDto> {
    const existing = await this.orders.findById(orderId);
    const result = await this.credit.creditPaidOrder({
      orderId,
      gateway: existing?.gateway ?? gateway ?? 'manual',
      via: 'admin',
      reportBalance: true,
    });
    return {
      order_id: orderId,
      credited: result.credited,
      new_balance:
        result.balanceCents === undefined
          ? null
          : centsToNumber(result.balanceCents),
    };
  }
}
