import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  USER_DELETING,
  UserDeletingEvent,
} from '../../common/events/domain-events.js';
import type { StepContext } from '../../common/job-step.js';
import { formatCents, toCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import { referralConfig, schedulerConfig } from '../../config/index.js';
import { byId, forEachKeysetBatch } from '../../database/keyset.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { CLAWBACK_TOTAL, ReferralRepository } from './referral.repository.js';

/** A deleted referee's inviter loses the reward only when their own score is this low. */
export const DELETED_REFEREE_INVITER_SCORE_BELOW = 32;

/** Takes a registration reward back, once, when the referee turns out bad. */
@Injectable()
export class ReferralClawbackService {
  private readonly logger = new Logger(ReferralClawbackService.name);

  constructor(
    @Inject(referralConfig.KEY)
    private readonly config: ConfigType<typeof referralConfig>,
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly referrals: ReferralRepository,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * Daily step: referees with `money < 0`, `ref_by != 0` and `score < CLAWBACK_SCORE_BELOW`
   * whose inviter still holds the reward. Batches of JOB_BATCH ids, one transaction per referee;
   * returns how many referees changed (or, in a dry run, would change).
   */
  async clawbackBadReferees(ctx: StepContext): Promise<number> {
    let changed = 0;
    await forEachKeysetBatch(
      { size: this.scheduler.batch, keyOf: byId },
      (afterId, limit) =>
        this.referrals.findClawbackCandidates(
          afterId,
          this.config.clawbackScoreBelow,
          limit,
        ),
      async (batch) => {
        if (ctx.dryRun) {
          changed += batch.length;
          return;
        }
        for (const referee of batch) {
          const done = await this.dataSource.transaction((manager) =>
            this.clawback(manager, referee.id, referee.refBy, ctx.now),
          );
          if (done) changed++;
        }
      },
    );
    return changed;
  }

  /** An account is being deleted (USER_DELETING, inside the deletion's transaction). */
  @OnEvent(USER_DELETING, { suppressErrors: false })
  async onUserDeleting(event: UserDeletingEvent): Promise<void> {
    await this.clawbackForDeletedReferee(event.manager, event.userId, {
      now: event.now,
    });
  }

  /**
   * For the deletion job, inside its transaction: takes the reward back when the referee's
   * inviter has a score below 32. Returns whether anything changed.
   */
  async clawbackForDeletedReferee(
    manager: EntityManager,
    refereeId: number,
    opts: { now: Date; inviterScoreBelow?: number },
  ): Promise<boolean> {
    const referee = await this.referrals.findChainLink(manager, refereeId);
    if (!referee || referee.refBy === 0) return false;
    const score = await this.referrals.findScore(manager, referee.refBy);
    const below = opts.inviterScoreBelow ?? DELETED_REFEREE_INVITER_SCORE_BELOW;
    if (score === null || score >= below) return false;
    return this.clawback(manager, refereeId, referee.refBy, opts.now);
  }

  /**
   * The once-only clawback: the reward row is claimed with a conditional `callback = 1`
   * update, so a concurrent or repeated run finds nothing left to take.
   */
  private async clawback(
    manager: EntityManager,
    refereeId: number,
    inviterId: number,
    now: Date,
  ): Promise<boolean> {
    const reward = await this.referrals.findOpenReward(
      manager,
      refereeId,
      inviterId,
    );
    if (!reward) return false;
    if (await this.referrals.hasClawback(manager, refereeId, inviterId))
      return false;
    if (!(await this.referrals.claimReward(manager, reward.id))) return false;
    const amountCents = toCents(reward.refGet);
    const clawbackId = await this.referrals.insertPayback(manager, {
      total: CLAWBACK_TOTAL,
      userid: refereeId,
      refBy: inviterId,
      refGet: formatCents(-amountCents),
      datetime: unixNow(now),
      callback: 0,
      paylistId: null,
      level: 1,
    });
    // No funds guard: a clawback may leave the inviter's balance negative on purpose.
    await this.ledger.applyBalanceChange(manager, {
      userId: inviterId,
      amountCents: -amountCents,
      reason: 'clawback',
      refType: 'payback',
      refId: clawbackId,
    });
    await this.referrals.incrementBanTimes(manager, inviterId);
    await this.referrals.detachReferee(manager, refereeId);
    this.logger.log(
      `Clawed back ${formatCents(amountCents)} from user ${inviterId} (referee ${refereeId})`,
    );
    return true;
  }
}
