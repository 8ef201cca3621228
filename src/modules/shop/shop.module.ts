import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { CouponRepository } from './coupon.repository.js';
import { ShopAdminController } from './shop-admin.controller.js';
import { ShopAdminService } from './shop-admin.service.js';
import { ShopPurchaseService } from './shop-purchase.service.js';
import { ShopRenewalService } from './shop-renewal.service.js';
import { ShopController } from './shop.controller.js';
import { ShopRepository } from './shop.repository.js';
import { ShopService } from './shop.service.js';

/** Plans, purchases, coupons, purchase history and auto-renew (docs/spec/shop.md). */
@Module({
  imports: [LedgerModule],
  controllers: [ShopController, ShopAdminController],
  providers: [
    ShopService,
    ShopPurchaseService,
    ShopRenewalService,
    ShopAdminService,
    ShopRepository,
    CouponRepository,
  ],
  exports: [ShopPurchaseService, ShopRenewalService],
})
export class ShopModule {}
