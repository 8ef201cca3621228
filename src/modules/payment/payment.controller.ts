import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { ok } from '../../common/http/envelope.js';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { ListOrdersQuery } from './dto/list-orders.dto.js';
import { OrderIdParam } from './dto/order-id.dto.js';
import {
  CreatedOrderDto,
  GatewayListDto,
  OrderListDto,
  OrderStatusDto,
} from './dto/order.dto.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { PaymentOrderService } from './payment-order.service.js';

@Controller('payment')
export class PaymentController {
  constructor(private readonly orderService: PaymentOrderService) {}

  /** A top-up order on an enabled gateway, with the URL to pay it. */
  @Post('create')
  @RateLimit('payment')
  @HttpCode(HttpStatus.CREATED)
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateOrderDto,
  ): Promise<CreatedOrderDto> {
    return this.orderService.create(user.id, dto);
  }

  /** The enabled gateways: name, currency, top-up bounds. */
  @Get('gateways')
  gateways(): GatewayListDto {
    return this.orderService.listGateways();
  }

  @Get('orders')
  orders(
    @CurrentUser() user: AuthUser,
    @Query() query: ListOrdersQuery,
  ): Promise<OrderListDto> {
    return this.orderService.list(user.id, query);
  }

  @Get('status/:order_id')
  status(
    @CurrentUser() user: AuthUser,
    @Param() params: OrderIdParam,
  ): Promise<OrderStatusDto> {
    return this.orderService.status(user.id, params.order_id);
  }

  /** 302 to the gateway's pay page; QR gateways and those without a page (manual) answer with data. */
  @Get('checkout/:order_id')
  @RawResponse()
  async checkout(
    @CurrentUser() user: AuthUser,
    @Param() params: OrderIdParam,
    @Res() res: Response,
  ): Promise<void> {
    const checkout = await this.orderService.checkout(user.id, params.order_id);
    if (checkout.payment_url && !checkout.qr_code)
      res.redirect(302, checkout.payment_url);
    else res.json(ok(checkout));
  }
}
