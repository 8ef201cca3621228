import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { centsToNumber, toCents } from '../../common/money.js';
import { DebugConfirmedDto } from './dto/order.dto.js';
import { PaymentCreditService } from './payment-credit.service.js';
import {
  orderNotFound,
  PaymentErrorCode,
  PaymentException,
} from './payment.exception.js';
import { PaymentRepository } from './payment.repository.js';

/** Development only: confirm an order as if its gateway had called back. */
@Injectable()
export class PaymentDebugService {
  constructor(
    private readonly orders: PaymentRepository,
    private readonly credit: PaymentCreditService,
  ) {}

  /** Credits the owner's (or, for an admin, any) order through the one crediting path. */
  async confirm(user: AuthUser, orderId: number): Promise<DebugConfirmedDto> {
    const order = await this.orders.findById(orderId);
    if (!order || (order.userid !== user.id && !user.isAdmin))
      throw orderNotFound();
    const result = await this.credit.creditPaidOrder({
      orderId,
      gateway: order.gateway,
      via: 'debug',
      reportBalance: true,
    });
    if (!result.credited || result.balanceCents === undefined)
      throw new PaymentException(
        PaymentErrorCode.ORDER_ALREADY_PAID,
        'This order is already paid',
      );
    return {
      order_id: order.id,
      amount: centsToNumber(toCents(order.total)),
      new_balance: centsToNumber(result.balanceCents),
    };
  }
}
