import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { ApiResult } from '../../common/http/envelope.js';
import { BoughtQueryDto, BuyDto } from './dto/buy.dto.js';
import {
  BoughtListDto,
  PlanListDto,
  PurchaseResultDto,
} from './dto/shop-response.dto.js';
import { ShopPurchaseService } from './shop-purchase.service.js';
import { ShopService } from './shop.service.js';

@Controller('user')
export class ShopController {
  constructor(
    private readonly shopService: ShopService,
    private readonly purchaseService: ShopPurchaseService,
  ) {}

  @Get('shop')
  plans(): Promise<PlanListDto> {
    return this.shopService.listOnSale();
  }

  @Post('buy')
  @HttpCode(200)
  async buy(
    @CurrentUser() user: AuthUser,
    @Body() dto: BuyDto,
  ): Promise<ApiResult<PurchaseResultDto>> {
    const result = await this.purchaseService.purchase({
      userId: user.id,
      shopId: dto.shop_id,
      couponCode: dto.coupon,
      autoRenew: dto.auto_renew ?? false,
      allowDowngrade: dto.allow_downgrade ?? false,
      now: new Date(),
    });
    return new ApiResult(result, 'Purchase successful');
  }

  @Get('bought')
  bought(
    @CurrentUser() user: AuthUser,
    @Query() query: BoughtQueryDto,
  ): Promise<BoughtListDto> {
    return this.shopService.history(user.id, query);
  }
}
