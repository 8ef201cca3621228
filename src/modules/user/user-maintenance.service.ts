import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { userConfig, schedulerConfig } from '../../config/index.js';
import { UserMaintenanceRepository } from './user-maintenance.repository.js';
import { type UserChange, UserRules } from './user-maintenance.rules.js';

/** `2025-01-27 02:00` in the scheduler's time zone, for the reasons shown to users. */
export function localTime(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${timeZone})`;
}

/** A calendar month before `now` (UTC), for "registered more than a month ago". */
function monthBefore(now: Date): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d;
}

/**
 * The account rules of the daily and check jobs (docs/spec/scheduler.md), each a set-based step: one
 * condition, used by the batched UPDATE and by the dry run's COUNT. The traffic guards live in
 * UserTrafficGuardService, account deletion in UserDeletionService.
 */
@Injectable()
export class UserMaintenanceService {
  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @Inject(userConfig.KEY)
    private readonly config: ConfigType<typeof userConfig>,
    private readonly repo: UserMaintenanceRepository,
  ) {}

  private apply(change: UserChange, ctx: StepContext): Promise<number> {
    return ctx.dryRun
      ? this.repo.count(change)
      : this.repo.updateInIdRanges(change, this.scheduler.batch);
  }

  private when(ctx: StepContext): string {
    return localTime(ctx.now, this.scheduler.timeZone);
  }

  /** daily 1: starts a new traffic cycle for users whose `renew_time` has passed. */
  renewTrafficCycles(ctx: StepContext): Promise<number> {
    const change = UserRules.trafficCycle({
      nowS: unixNow(ctx.now),
      limitPerClass: this.config.transferLimitPerClassBytes,
      renewPerClassS: this.config.renewDaysPerClass * DAY_S,
    });
    return this.apply(change, ctx);
  }

  /** daily 4: suspends paying users who have not used the service for UNUSED_DAYS. */
  disableUnusedAccounts(ctx: StepContext): Promise<number> {
    const days = this.config.unusedDays;
    const change = UserRules.unusedAccounts({
      unusedSinceS: unixNow(ctx.now) - days * DAY_S,
      regBefore: monthBefore(ctx.now),
      warning: `Service suspended on ${this.when(ctx)}: no traffic for ${days} days.`,
    });
    return this.apply(change, ctx);
  }

  /** daily 5: download past the cycle allowance costs a point and a node group. */
  penaliseOverAllowance(ctx: StepContext): Promise<number> {
    const change = UserRules.overAllowance({
      limitPerClass: this.config.transferLimitPerClassBytes,
      warning:
        `On ${this.when(ctx)} this cycle's download passed its allowance: ` +
        'score −1 and moved one node group down.',
    });
    return this.apply(change, ctx);
  }

  /** daily 6: active paying users of the upper groups gain a point. */
  rewardActivity(ctx: StepContext): Promise<number> {
    const change = UserRules.activityScore({
      activeSinceS: unixNow(ctx.now) - DAY_S,
    });
    return this.apply(change, ctx);
  }

  /** daily 8: keeps yesterday's counters (`last_day_t`, subscription counts). */
  recordDailyStatistics(ctx: StepContext): Promise<number> {
    const change = UserRules.dailyStatistics({
      activeSinceS: unixNow(ctx.now) - 2 * DAY_S,
    });
    return this.apply(change, ctx);
  }

  /** daily 9 / check 2: a level whose `class_expire` has passed drops to 0. */
  expireLevels(ctx: StepContext): Promise<number> {
    return this.apply(UserRules.levelExpiry({ now: ctx.now }), ctx);
  }

  /** check 4: a negative balance suspends the service once (the rule needs `enable = 1`). */
  banNegativeBalances(ctx: StepContext): Promise<number> {
    const change = UserRules.negativeBalance({
      warning: `Service suspended on ${this.when(ctx)}: the balance is negative. Top up to restore it.`,
    });
    return this.apply(change, ctx);
  }
}
