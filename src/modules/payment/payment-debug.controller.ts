import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { DebugConfirmDto } from './dto/order-id.dto.js';
import { DebugConfirmedDto } from './dto/order.dto.js';
import { PaymentDebugService } from './payment-debug.service.js';

/**
 * Registered only when `isPaymentDebugRouteEnabled()` (PAYMENT_DEBUG=true, not production);
 * otherwise the route does not exist and answers 404 like any unknown path.
 */
@Controller('payment/debug')
export class PaymentDebugController {
  constructor(private readonly debugService: PaymentDebugService) {}

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  confirm(
    @CurrentUser() user: AuthUser,
    @Body() dto: DebugConfirmDto,
  ): Promise<DebugConfirmedDto> {
    return this.debugService.confirm(user, dto.order_id);
  }
}
