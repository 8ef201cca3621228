import { Module } from '@nestjs/common';
import { NodeApiModule } from '../node-api/node-api.module.js';
import { AdminDetectRuleController } from './admin-detect-rule.controller.js';
import { AdminDetectRuleService } from './admin-detect-rule.service.js';
import { AdminNodeController } from './admin-node.controller.js';
import { AdminNodeRepository } from './admin-node.repository.js';
import { AdminNodeService } from './admin-node.service.js';
import { AdminOverviewController } from './admin-overview.controller.js';
import { AdminOverviewService } from './admin-overview.service.js';
import { AdminUserController } from './admin-user.controller.js';
import { AdminUserRepository } from './admin-user.repository.js';
import { AdminUserService } from './admin-user.service.js';

/**
 * Operator routes that have no other home. Admin routes of a domain with its own module live
 * there (plans/coupons in shop, orders in payment, job runs in scheduler).
 */
@Module({
  imports: [NodeApiModule],
  controllers: [
    AdminOverviewController,
    AdminUserController,
    AdminNodeController,
    AdminDetectRuleController,
  ],
  providers: [
    AdminOverviewService,
    AdminUserService,
    AdminUserRepository,
    AdminNodeService,
    AdminNodeRepository,
    AdminDetectRuleService,
  ],
})
export class AdminModule {}
