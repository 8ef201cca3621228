import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseIntPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import {
  CouponDto,
  CouponListDto,
  CreateCouponDto,
  CreatePlanDto,
  UpdateCouponDto,
  UpdatePlanDto,
} from './dto/admin-shop.dto.js';
import { PlanDto, PlanListDto } from './dto/shop-response.dto.js';
import { ShopAdminService } from './shop-admin.service.js';

@AdminOnly()
@Controller('admin/shop')
export class ShopAdminController {
  constructor(private readonly admin: ShopAdminService) {}

  @Get('plans')
  listPlans(): Promise<PlanListDto> {
    return this.admin.listPlans();
  }

  @Post('plans')
  createPlan(@Body() dto: CreatePlanDto): Promise<PlanDto> {
    return this.admin.createPlan(dto);
  }

  @Patch('plans/:id')
  updatePlan(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdatePlanDto,
  ): Promise<PlanDto> {
    return this.admin.updatePlan(id, dto);
  }

  /** Takes the plan off sale (never deleted: history and renewals refer to it). */
  @Post('plans/:id/disable')
  disablePlan(@Param('id', ParseIntPipe) id: number): Promise<PlanDto> {
    return this.admin.disablePlan(id);
  }

  @Get('coupons')
  listCoupons(): Promise<CouponListDto> {
    return this.admin.listCoupons();
  }

  @Post('coupons')
  createCoupon(@Body() dto: CreateCouponDto): Promise<CouponDto> {
    return this.admin.createCoupon(dto);
  }

  @Patch('coupons/:id')
  updateCoupon(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateCouponDto,
  ): Promise<CouponDto> {
    return this.admin.updateCoupon(id, dto);
  }

  @Delete('coupons/:id')
  deleteCoupon(@Param('id', ParseIntPipe) id: number): Promise<{ id: number }> {
    return this.admin.deleteCoupon(id);
  }
}
