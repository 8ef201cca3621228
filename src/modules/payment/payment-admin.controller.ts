import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import {
  AdminMarkedPaidDto,
  AdminMarkPaidDto,
  AdminOrderDto,
  AdminOrdersQuery,
} from './dto/admin-orders.dto.js';
import { PaymentAdminService } from './payment-admin.service.js';

@AdminOnly()
@Controller('admin/orders')
export class PaymentAdminController {
  constructor(private readonly admin: PaymentAdminService) {}

  @Get()
  list(
    @Query() query: AdminOrdersQuery,
  ): Promise<{ orders: AdminOrderDto[]; count: number }> {
    return this.admin.list(query);
  }

  @Post(':id/mark-paid')
  @HttpCode(HttpStatus.OK)
  markPaid(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: AdminMarkPaidDto,
  ): Promise<AdminMarkedPaidDto> {
    return this.admin.markPaid(id, dto.gateway);
  }
}
