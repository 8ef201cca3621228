import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { AdminOverviewController } from './admin-overview.controller.js';
import { AdminOverviewService } from './admin-overview.service.js';
import { AdminUserController } from './admin-user.controller.js';
import { AdminUserRepository } from './admin-user.repository.js';
import { AdminUserService } from './admin-user.service.js';

/**
 * Operator routes that have no other home. Admin routes of a domain with its own module live
 * there (plans/coupons in shop, orders in payment, job runs in scheduler, nodes and detect
 * rules in node).
 */
@Module({
  imports: [LedgerModule],
  controllers: [AdminOverviewController, AdminUserController],
  providers: [AdminOverviewService, AdminUserService, AdminUserRepository],
})
export class AdminModule {}
