import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception.js';
import type { StepContext } from '../../common/job-step.js';
import { unixNow } from '../../common/time.js';
import { schedulerConfig } from '../../config/index.js';
import { byId, forEachKeysetBatch } from '../../database/keyset.js';
import { ShopPurchaseService } from './shop-purchase.service.js';
import { DueRenewal, ShopRepository } from './shop.repository.js';

/** docs/spec/shop.md: rows due within the next minute are renewed by this (hourly) run. */
const DUE_WITHIN_S = 60;

/** Hourly auto-renew (docs/spec/shop.md); the scheduler calls renewDue, the rules are the purchase's. */
@Injectable()
export class ShopRenewalService {
  private readonly logger = new Logger(ShopRenewalService.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly purchases: ShopPurchaseService,
  ) {}

  /**
   * Renews every due `bought` row whose plan still exists, at full price, each in its own
   * transaction; a renewal the rules refuse (balance, downgrade, invalid plan) ends that row's
   * auto-renew and says why in the user's `warming`. Returns the rows renewed or stopped (in a
   * dry run: the rows due). Unexpected errors leave their row due for the next run, and are
   * thrown after the batch so the scheduler records the run as failed.
   */
  async renewDue(ctx: StepContext): Promise<number> {
    const dueBefore = unixNow(ctx.now) + DUE_WITHIN_S;
    let changed = 0;
    let renewed = 0;
    const failures: string[] = [];
    await forEachKeysetBatch(
      { size: this.scheduler.batch, keyOf: byId },
      (afterId, limit) => this.shops.findDueRenewals(afterId, dueBefore, limit),
      async (rows) => {
        for (const row of rows) {
          if (ctx.dryRun) changed++;
          else {
            const result = await this.renewOne(row, ctx.now, failures);
            if (result !== 'skipped') changed++;
            if (result === 'renewed') renewed++;
          }
        }
      },
    );
    if (!ctx.dryRun && renewed > 0) await this.purchases.refreshNodeLists();
    if (failures.length > 0)
      throw new Error(
        `Auto-renew failed for ${failures.length} row(s): ${failures.slice(0, 10).join('; ')}`,
      );
    return changed;
  }

  private async renewOne(
    row: DueRenewal,
    now: Date,
    failures: string[],
  ): Promise<'renewed' | 'stopped' | 'skipped'> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        // Claim the row first: a second replica or a rerun finds renew changed and skips it.
        if (!(await this.shops.stopRenewal(manager, row.id, row.renew)))
          return 'skipped';
        await this.purchases.purchaseInTransaction(manager, {
          userId: row.userid,
          shopId: row.shopid,
          autoRenew: true,
          allowDowngrade: false,
          now,
          renewal: true,
        });
        return 'renewed';
      });
    } catch (err) {
      if (err instanceof DomainException)
        return (await this.stop(row, err.message)) ? 'stopped' : 'skipped';
      this.logger.error(
        { err, boughtId: row.id },
        'auto-renew failed unexpectedly',
      );
      failures.push(`bought ${row.id}: ${(err as Error).message}`);
      return 'skipped';
    }
  }

  /** Ends the row's auto-renew and tells the user why, unless another run got there first. */
  private stop(row: DueRenewal, reason: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.shops.stopRenewal(manager, row.id, row.renew)))
        return false;
      await this.shops.setWarming(
        manager,
        row.userid,
        `Auto-renew of purchase ${row.id} (plan ${row.shopid}) stopped: ${reason}`.slice(
          0,
          1000,
        ),
      );
      return true;
    });
  }
}
