import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { userConfig, schedulerConfig } from '../../config/index.js';
import { byId, forEachKeysetBatch } from '../../database/keyset.js';
import {
  TrafficSnapshotStore,
  type SnapshotKind,
} from './traffic-snapshot.store.js';
import { UserMaintenanceRepository } from './user-maintenance.repository.js';
import { UserRules } from './user-maintenance.rules.js';
import { localTime } from './user-maintenance.service.js';

interface GuardWindow {
  kind: SnapshotKind;
  groups: number[];
  limitBytes: number;
  /** Users count when their last traffic is younger than this. */
  activeWindowS: number;
  /** Lifetime of the snapshot written for the next run. */
  snapshotTtlS: number;
  label: string;
}

/**
 * The daily and hourly traffic guards: a user whose `u + d` grew by more than the limit since
 * the previous run's snapshot is suspended. Works in keyset batches: one SELECT of ids and
 * totals, one MGET of snapshots, one UPDATE of the offenders, one pipelined snapshot write.
 * A user without a snapshot (first run, or idle past its TTL) has no baseline and is not judged.
 */
@Injectable()
export class UserTrafficGuardService {
  private readonly logger = new Logger(UserTrafficGuardService.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @Inject(userConfig.KEY)
    private readonly config: ConfigType<typeof userConfig>,
    private readonly repo: UserMaintenanceRepository,
    private readonly snapshots: TrafficSnapshotStore,
  ) {}

  /** daily 3: more than DAILY_GUARD_GB since yesterday in groups DAILY_GUARD_GROUPS. */
  guardDailyTraffic(ctx: StepContext): Promise<number> {
    return this.guard(ctx, {
      kind: 'lastday',
      groups: this.config.dailyGuard.groups,
      limitBytes: this.config.dailyGuard.limitBytes,
      activeWindowS: DAY_S,
      snapshotTtlS: DAY_S,
      label: 'in one day',
    });
  }

  /** hourly 1: more than HOURLY_GUARD_GB since last hour in groups HOURLY_GUARD_GROUPS. */
  guardHourlyTraffic(ctx: StepContext): Promise<number> {
    return this.guard(ctx, {
      kind: 'lasthour',
      groups: this.config.hourlyGuard.groups,
      limitBytes: this.config.hourlyGuard.limitBytes,
      activeWindowS: 3600,
      snapshotTtlS: 4600,
      label: 'in one hour',
    });
  }

  private async guard(ctx: StepContext, w: GuardWindow): Promise<number> {
    if (w.groups.length === 0) return 0;
    const candidates = UserRules.trafficGuardCandidates({
      groups: w.groups,
      activeSinceS: unixNow(ctx.now) - w.activeWindowS,
    });
    const gb = (w.limitBytes / 1024 ** 3).toFixed(2).replace(/\.?0+$/, '');
    const disable = UserRules.disable(
      `Service suspended on ${localTime(ctx.now, this.scheduler.timeZone)}: ` +
        `more than ${gb} GB of traffic ${w.label}.`,
    );
    let changed = 0;
    await forEachKeysetBatch(
      { size: this.scheduler.batch, keyOf: byId },
      (afterId, limit) =>
        this.repo.findTrafficTotals(candidates, afterId, limit),
      async (batch) => {
        const previous = await this.snapshots.read(
          w.kind,
          batch.map((u) => u.id),
        );
        const offenders = batch
          .filter(
            (u, i) =>
              previous[i] !== null &&
              u.total - (previous[i] as number) > w.limitBytes,
          )
          .map((u) => u.id);
        if (ctx.dryRun) {
          changed += offenders.length;
          return;
        }
        changed += await this.repo.updateIds(disable, offenders);
        await this.snapshots.write(
          w.kind,
          batch.map((u) => ({ userId: u.id, total: u.total })),
          w.snapshotTtlS,
        );
      },
    );
    if (changed > 0 && !ctx.dryRun)
      this.logger.warn(
        `Traffic guard (${w.kind}) suspended ${changed} user(s)`,
      );
    return changed;
  }
}
