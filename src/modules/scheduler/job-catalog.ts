import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { MaintenanceStep } from '../../common/job-step.js';
import {
  schedulerConfig,
  stepSwitchName,
} from '../../config/scheduler.config.js';
import { NodeMaintenanceService } from '../node/node-maintenance.service.js';
import { PaymentCallbackRetentionService } from '../payment/payment-callback-retention.service.js';
import { PaymentOrderService } from '../payment/payment-order.service.js';
import { PaymentReconcileService } from '../payment/payment-reconcile.service.js';
import { ReferralClawbackService } from '../referral/referral-clawback.service.js';
import { ShopRenewalService } from '../shop/shop-renewal.service.js';
import { UserDeletionService } from '../user/user-deletion.service.js';
import { UserMaintenanceService } from '../user/user-maintenance.service.js';
import { UserTrafficGuardService } from '../user/user-traffic-guard.service.js';
import {
  JOB_STEPS,
  type JobName,
  type StepName,
} from './scheduler.constants.js';

export interface JobStep {
  name: string;
  run: MaintenanceStep;
}

/**
 * What each job does (docs/spec/scheduler.md): binds every step of the catalogue (JOB_STEPS, which also
 * fixes the order) to its owning module's service, and drops the ones switched off with
 * `JOB_<JOB>_<STEP>`. The rules live in the owners.
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
    private readonly callbacks: PaymentCallbackRetentionService,
  ) {}

  /** Each step's run, by job and step name (the names and order are JOB_STEPS'). */
  private runs(): { [J in JobName]: Record<StepName<J>, MaintenanceStep> } {
    return {
      daily: {
        traffic_cycle: (ctx) => this.users.renewTrafficCycles(ctx),
        dead_nodes: (ctx) => this.nodes.markDeadNodes(ctx),
        traffic_guard: (ctx) => this.guards.guardDailyTraffic(ctx),
        unused_accounts: (ctx) => this.users.disableUnusedAccounts(ctx),
        over_allowance: (ctx) => this.users.penaliseOverAllowance(ctx),
        activity_score: (ctx) => this.users.rewardActivity(ctx),
        clawback: (ctx) => this.referrals.clawbackBadReferees(ctx),
        statistics: (ctx) => this.users.recordDailyStatistics(ctx),
        level_expiry: (ctx) => this.users.expireLevels(ctx),
      },
      hourly: {
        traffic_guard: (ctx) => this.guards.guardHourlyTraffic(ctx),
        reconcile_orders: (ctx) => this.reconciler.reconcileOrders(ctx),
        unpaid_orders: (ctx) => this.orders.expireUnpaidOrders(ctx),
        auto_renew: (ctx) => this.shop.renewDue(ctx),
      },
      check: {
        ip_records: (ctx) => this.nodes.pruneIpRecords(ctx),
        level_expiry: (ctx) => this.users.expireLevels(ctx),
        // The inviter's reward is clawed back inside each deletion's transaction (USER_DELETING).
        account_deletion: (ctx) => this.deletion.deleteAccounts(ctx),
        negative_balance: (ctx) => this.users.banNegativeBalances(ctx),
      },
      clean: {
        node_info: (ctx) => this.nodes.pruneNodeInfo(ctx),
        node_online_log: (ctx) => this.nodes.pruneNodeOnlineLog(ctx),
        user_traffic_log: (ctx) => this.nodes.pruneUserTrafficLog(ctx),
        detect_log: (ctx) => this.nodes.pruneDetectLog(ctx),
        traffic_report: (ctx) => this.nodes.pruneTrafficReports(ctx),
        payment_callbacks: (ctx) => this.callbacks.pruneCallbacks(ctx),
      },
    };
  }

  /** Every step of every job, switched on or not, in catalogue order. */
  allSteps(): Record<JobName, JobStep[]> {
    const runs = this.runs();
    const bind = <J extends JobName>(job: J): JobStep[] =>
      JOB_STEPS[job].map((name: StepName<J>) => ({
        name,
        run: runs[job][name],
      }));
    return {
      daily: bind('daily'),
      hourly: bind('hourly'),
      check: bind('check'),
      clean: bind('clean'),
    };
  }

  /** The switched-on steps of a job, in order. */
  steps(job: JobName): JobStep[] {
    return this.allSteps()[job].filter(
      (s) => this.config.switches[stepSwitchName(job, s.name)] !== false,
    );
  }
}
