import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { MaintenanceStep } from '../../common/job-step.js';
import {
  schedulerConfig,
  stepSwitchName,
} from '../../config/scheduler.config.js';
import { NodeMaintenanceService } from '../node/node-maintenance.service.js';
import { PaymentOrderService } from '../payment/payment-order.service.js';
import { PaymentReconcileService } from '../payment/payment-reconcile.service.js';
import { ReferralClawbackService } from '../referral/referral-clawback.service.js';
import { ShopRenewalService } from '../shop/shop-renewal.service.js';
import { UserDeletionService } from '../user/user-deletion.service.js';
import { UserMaintenanceService } from '../user/user-maintenance.service.js';
import { UserTrafficGuardService } from '../user/user-traffic-guard.service.js';
import type { JobName } from './scheduler.constants.js';

export interface JobStep {
  name: string;
  run: MaintenanceStep;
}

/**
 * What each job does, in order (scheduler.md). The rules live in their owning modules; this
 * only names the steps, binds them, and drops the ones switched off with `JOB_<JOB>_<STEP>`.
 */
@Injectable()
export class JobCatalog {
  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly config: ConfigType<typeof schedulerConfig>,
    private readonly users: UserMaintenanceService,
    private readonly guards: UserTrafficGuardService,
    private readonly deletion: UserDeletionService,
    private readonly nodes: NodeMaintenanceService,
    private readonly referrals: ReferralClawbackService,
    private readonly shop: ShopRenewalService,
    private readonly orders: PaymentOrderService,
    private readonly reconciler: PaymentReconcileService,
  ) {}

  /** Every step of every job, switched on or not. */
  allSteps(): Record<JobName, JobStep[]> {
    const step = (name: string, run: MaintenanceStep): JobStep => ({
      name,
      run,
    });
    return {
      daily: [
        step('traffic_cycle', (ctx) => this.users.renewTrafficCycles(ctx)),
        step('dead_nodes', (ctx) => this.nodes.markDeadNodes(ctx)),
        step('traffic_guard', (ctx) => this.guards.guardDailyTraffic(ctx)),
        step('unused_accounts', (ctx) => this.users.disableUnusedAccounts(ctx)),
        step('over_allowance', (ctx) => this.users.penaliseOverAllowance(ctx)),
        step('activity_score', (ctx) => this.users.rewardActivity(ctx)),
        step('clawback', (ctx) => this.referrals.clawbackBadReferees(ctx)),
        step('statistics', (ctx) => this.users.recordDailyStatistics(ctx)),
        step('level_expiry', (ctx) => this.users.expireLevels(ctx)),
      ],
      hourly: [
        step('traffic_guard', (ctx) => this.guards.guardHourlyTraffic(ctx)),
        // Before the expiry: an order paid but never called back is credited, not expired.
        step('reconcile_orders', (ctx) => this.reconciler.reconcileOrders(ctx)),
        step('unpaid_orders', (ctx) => this.orders.expireUnpaidOrders(ctx)),
        step('auto_renew', (ctx) => this.shop.renewDue(ctx)),
      ],
      check: [
        step('ip_records', (ctx) => this.nodes.pruneIpRecords(ctx)),
        step('level_expiry', (ctx) => this.users.expireLevels(ctx)),
        // The inviter's reward is clawed back inside each deletion's transaction (USER_DELETING).
        step('account_deletion', (ctx) => this.deletion.deleteAccounts(ctx)),
        step('negative_balance', (ctx) => this.users.banNegativeBalances(ctx)),
      ],
      clean: [
        step('node_info', (ctx) => this.nodes.pruneNodeInfo(ctx)),
        step('node_online_log', (ctx) => this.nodes.pruneNodeOnlineLog(ctx)),
        step('user_traffic_log', (ctx) => this.nodes.pruneUserTrafficLog(ctx)),
        step('detect_log', (ctx) => this.nodes.pruneDetectLog(ctx)),
        step('traffic_report', (ctx) => this.nodes.pruneTrafficReports(ctx)),
      ],
    };
  }

  /** The switched-on steps of a job, in order. */
  steps(job: JobName): JobStep[] {
    return this.allSteps()[job].filter(
      (s) => this.config.switches[stepSwitchName(job, s.name)] !== false,
    );
  }
}
