import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { schedulerConfig } from '../../config/index.js';
import {
  UserCondition,
  UserMaintenanceRepository,
  UserRules,
} from './user-maintenance.repository.js';

/**
 * Runs inside the deletion transaction, after the archive row and before the DELETE (the
 * scheduler passes the referral clawback here). The user module does not depend on referral.
 */
export type BeforeUserDelete = (
  manager: EntityManager,
  userId: number,
) => Promise<unknown>;

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
 * to `user_archive` as JSON, the hook runs, then they are deleted. Nothing is lost: the
 * archive and the delete commit together or not at all.
 */
@Injectable()
export class UserDeletionService {
  private readonly logger = new Logger(UserDeletionService.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly config: ConfigType<typeof schedulerConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: UserMaintenanceRepository,
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
  async deleteAccounts(
    ctx: StepContext,
    beforeDelete?: BeforeUserDelete,
  ): Promise<number> {
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
    for (const rule of rules)
      deleted += await this.deleteMatching(rule, ctx, beforeDelete);
    if (deleted > 0)
      this.logger.log(
        `Deleted ${deleted} account(s) (archived in user_archive)`,
      );
    return deleted;
  }

  private async deleteMatching(
    rule: DeletionRule,
    ctx: StepContext,
    beforeDelete?: BeforeUserDelete,
  ): Promise<number> {
    let afterId = 0;
    let deleted = 0;
    for (;;) {
      const ids = await this.repo.findIds(
        rule.condition,
        afterId,
        this.config.batch,
      );
      if (ids.length === 0) return deleted;
      afterId = ids[ids.length - 1];
      deleted += await this.dataSource.transaction((manager) =>
        this.archiveAndDelete(manager, rule, ids, ctx.now, beforeDelete),
      );
      if (ids.length < this.config.batch) return deleted;
    }
  }

  private async archiveAndDelete(
    manager: EntityManager,
    rule: DeletionRule,
    ids: number[],
    now: Date,
    beforeDelete?: BeforeUserDelete,
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
    if (beforeDelete) for (const id of doomed) await beforeDelete(manager, id);
    return this.repo.deleteIds(manager, doomed);
  }
}
