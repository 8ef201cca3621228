import { Module } from '@nestjs/common';
import { AdminOverviewController } from './admin-overview.controller.js';
import { AdminOverviewService } from './admin-overview.service.js';

/**
 * Operator routes that have no other home: the dashboard's headline counts across domains.
 * Admin routes of a domain live in its module (users in user, plans/coupons in shop, orders in
 * payment, job runs in scheduler, nodes and detect rules in node).
 */
@Module({
  controllers: [AdminOverviewController],
  providers: [AdminOverviewService],
})
export class AdminModule {}
