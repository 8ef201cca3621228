import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  USER_DELETING,
  UserDeletingEvent,
} from '../../common/events/domain-events.js';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { userConfig, schedulerConfig } from '../../config/index.js';
import { forEachKeysetBatch } from '../../database/keyset.js';
import { UserMaintenanceRepository } from './user-maintenance.repository.js';
import { type UserCondition, UserRules } from './user-maintenance.rules.js';

interface DeletionRule {
  reason: string;
  condition: UserCondition;
}

/** JSON of a raw row: Dates as ISO strings, everything else as the driver returned it. */
function rowToJson(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

/**
 * check 3: deletes accounts that match any switched-on rule, never admins. Per batch of ids,
 * one transaction: the rows are re-read (and locked on MySQL) under the same condition, copied
 * to `user_archive` as JSON, USER_DELETING is emitted per user (the referral clawback listens, in
 * the same transaction), then they are deleted. Nothing is lost: the
 * archive and the delete commit together or not at all.
 */
@Injectable()
export class UserDeletionService {
  private readonly logger = new Logger(UserDeletionService.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @Inject(userConfig.KEY)
    private readonly config: ConfigType<typeof userConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: UserMaintenanceRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** The switched-on deletion rules at `now` (none when DELETE_USERS=false). */
  rules(now: Date): DeletionRule[] {
    const d = this.config.deletion;
    if (!d.enabled) return [];
    const nowS = unixNow(now);
    const daysAgo = (days: number) =>
      new Date(now.getTime() - days * DAY_S * 1000);
    const rules: DeletionRule[] = [];
    if (d.neverUsed)
      rules.push({
        reason: `never used, registered over ${d.neverUsedDays} days ago`,
        condition: UserRules.deleteNeverUsed({
          regBefore: daysAgo(d.neverUsedDays),
          maxMoney: d.neverUsedMaxMoney,
        }),
      });
    if (d.uncheck)
      rules.push({
        reason: `no check-in for ${d.uncheckDays} days`,
        condition: UserRules.deleteUnchecked({
          sinceS: nowS - d.uncheckDays * DAY_S,
          regBefore: daysAgo(d.uncheckDays),
          minMoney: d.minMoney,
        }),
      });
    if (d.unused)
      rules.push({
        reason: `no traffic for ${d.unusedDays} days`,
        condition: UserRules.deleteUnused({
          sinceS: nowS - d.unusedDays * DAY_S,
          regBefore: daysAgo(d.unusedDays),
          minMoney: d.minMoney,
        }),
      });
    if (d.expired)
      rules.push({
        reason: `account expired over ${d.expiredDays} days ago`,
        condition: UserRules.deleteExpired({
          expireBefore: daysAgo(d.expiredDays),
          now,
          secondsSince: (column) => this.repo.secondsSince(column),
        }),
      });
    return rules;
  }

  /**
   * Deletes (or, in a dry run, counts) the accounts matching any rule. A user matching several
   * rules is counted and archived once, under the first rule's reason.
   */
  async deleteAccounts(ctx: StepContext): Promise<number> {
    const rules = this.rules(ctx.now);
    if (ctx.dryRun) {
      if (rules.length === 0) return 0;
      const any: UserCondition = {
        where: rules.map((r) => `(${r.condition.where})`).join(' OR '),
        params: Object.assign({}, ...rules.map((r) => r.condition.params)),
      };
      return this.repo.count(any);
    }
    let deleted = 0;
    for (const rule of rules) deleted += await this.deleteMatching(rule, ctx);
    if (deleted > 0)
      this.logger.log(
        `Deleted ${deleted} account(s) (archived in user_archive)`,
      );
    return deleted;
  }

  private async deleteMatching(
    rule: DeletionRule,
    ctx: StepContext,
  ): Promise<number> {
    let deleted = 0;
    await forEachKeysetBatch(
      { size: this.scheduler.batch, keyOf: (id: number) => id },
      (afterId, limit) => this.repo.findIds(rule.condition, afterId, limit),
      async (ids) => {
        deleted += await this.dataSource.transaction((manager) =>
          this.archiveAndDelete(manager, rule, ids, ctx.now),
        );
      },
    );
    return deleted;
  }

  private async archiveAndDelete(
    manager: EntityManager,
    rule: DeletionRule,
    ids: number[],
    now: Date,
  ): Promise<number> {
    const rows = await this.repo.lockRowsForDeletion(
      manager,
      rule.condition,
      ids,
    );
    if (rows.length === 0) return 0;
    const archivedAt = unixNow(now);
    await this.repo.insertArchives(
      manager,
      rows.map((row) => ({
        userId: Number(row.id),
        email: String(row.email),
        data: rowToJson(row),
        reason: rule.reason,
        archivedAt,
      })),
    );
    const doomed = rows.map((row) => Number(row.id));
    for (const id of doomed)
      await this.events.emitAsync(
        USER_DELETING,
        new UserDeletingEvent(manager, id, now),
      );
    return this.repo.deleteIds(manager, doomed);
  }
}
