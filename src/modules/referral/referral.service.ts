import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { formatCents, toCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import { referralConfig } from '../../config/index.js';
import { LedgerService } from '../ledger/ledger.service.js';
import {
  CommissionLevel,
  commissionCents,
  commissionLevels,
} from './commission.js';
import { REWARD_TOTAL, ReferralRepository } from './referral.repository.js';

/** The paid order a commission is computed from. */
export interface PaidOrder {
  id: number;
  userid: number;
  total: string;
}

export interface CommissionPayout {
  level: number;
  earnerId: number;
  amountCents: number;
  paybackId: number;
}

/** Money the referral programme moves: commissions on top-ups and registration rewards. */
@Injectable()
export class ReferralService {
  private readonly logger = new Logger(ReferralService.name);

  private readonly levels: CommissionLevel[];

  constructor(
    @Inject(referralConfig.KEY)
    private readonly config: ConfigType<typeof referralConfig>,
    private readonly referrals: ReferralRepository,
    private readonly ledger: LedgerService,
  ) {
    this.levels = commissionLevels(config.rates);
  }

  /**
   * Pays each level of the payer's referral chain its commission on `order`, inside the
   * crediting transaction. The chain stops at `ref_by = 0`, a missing or disabled user, or a
   * cycle. UNIQUE(paylist_id, level) makes a second payout for the same order impossible.
   */
  async payCommission(
    manager: EntityManager,
    order: PaidOrder,
  ): Promise<CommissionPayout[]> {
    if (!this.config.enabled || this.levels.length === 0) return [];
    const totalCents = toCents(order.total);
    if (totalCents <= 0) return [];
    const countPaid = this.config.maxTimes !== 0;
    // The whole chain in one read, after the payer's credit: on MySQL the transaction already
    // holds the payer's row, so the PAYBACK_MAX_TIMES counts see any payment credited before.
    const chain = await this.referrals.findCommissionChain(
      manager,
      order.userid,
      this.levels.length,
      countPaid,
    );
    if (!chain) return [];
    const seen = new Set<number>([chain.payer.id]);
    const payouts: CommissionPayout[] = [];
    let nextId = chain.payer.refBy;
    for (const [i, level] of this.levels.entries()) {
      if (!nextId || seen.has(nextId)) break;
      const earner = chain.above[i];
      if (!earner || earner.enable !== 1) break;
      seen.add(earner.id);
      nextId = earner.refBy;
      const amountCents = commissionCents(totalCents, level);
      if (amountCents <= 0) continue;
      // PAYBACK_MAX_TIMES (0 = unlimited): payments of one referee that earn one referrer.
      if (countPaid && (earner.paidCommissions ?? 0) >= this.config.maxTimes)
        continue;
      payouts.push(
        await this.payOne(manager, order, level.level, earner.id, amountCents),
      );
    }
    return payouts;
  }

  /**
   * The registration reward: the inviter's balance, a `payback` row with `total = -1` and the
   * ledger row, all in the registration's transaction. Nothing when `INVITE_REWARD = 0`.
   */
  async rewardInviter(
    manager: EntityManager,
    ids: { inviteeId: number; inviterId: number },
  ): Promise<boolean> {
    const rewardCents = toCents(this.config.inviteReward);
    if (rewardCents <= 0 || ids.inviterId <= 0) return false;
    if (!(await this.underDailyRewardLimit(manager, ids.inviterId))) {
      this.logger.warn(
        `Inviter ${ids.inviterId} reached INVITE_REWARD_DAILY_LIMIT; user ${ids.inviteeId} registered without a reward`,
      );
      return false;
    }
    const paybackId = await this.referrals.insertPayback(manager, {
      total: REWARD_TOTAL,
      userid: ids.inviteeId,
      refBy: ids.inviterId,
      refGet: formatCents(rewardCents),
      datetime: unixNow(),
      callback: 0,
      paylistId: null,
      level: 1,
    });
    const applied = await this.ledger.applyBalanceChange(manager, {
      userId: ids.inviterId,
      amountCents: rewardCents,
      reason: 'invite_reward',
      refType: 'payback',
      refId: paybackId,
    });
    if (!applied) throw new Error(`Inviter ${ids.inviterId} vanished`);
    return true;
  }

  /** `INVITE_REWARD_DAILY_LIMIT` (0 = unlimited) rewards per inviter in a rolling 24 hours. */
  private async underDailyRewardLimit(
    manager: EntityManager,
    inviterId: number,
  ): Promise<boolean> {
    const limit = this.config.inviteRewardDailyLimit;
    if (limit === 0) return true;
    await this.referrals.lockInviter(manager, inviterId);
    const paid = await this.referrals.countRewardsSince(
      manager,
      inviterId,
      unixNow() - 86_400,
    );
    return paid < limit;
  }

  private async payOne(
    manager: EntityManager,
    order: PaidOrder,
    level: number,
    earnerId: number,
    amountCents: number,
  ): Promise<CommissionPayout> {
    // The payback row first: its UNIQUE(paylist_id, level) key refuses a duplicate before
    // any money moves.
    const paybackId = await this.referrals.insertPayback(manager, {
      total: order.total,
      userid: order.userid,
      refBy: earnerId,
      refGet: formatCents(amountCents),
      datetime: unixNow(),
      callback: 0,
      paylistId: order.id,
      level,
    });
    const applied = await this.ledger.applyBalanceChange(manager, {
      userId: earnerId,
      amountCents,
      reason: 'commission',
      refType: 'payback',
      refId: paybackId,
    });
    if (!applied) throw new Error(`Referrer ${earnerId} vanished`);
    return { level, earnerId, amountCents, paybackId };
  }
}
