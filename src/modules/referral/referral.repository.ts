import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { forUpdate } from '../../database/dialect.js';
import { Payback, User } from '../../database/entities/index.js';
import {
  hydrator,
  insertedId,
  queryIn,
  Quote,
  runStructured,
} from '../../database/raw-sql.js';
import {
  chainLinkQuery,
  commissionChainQuery,
  insertPaybackQuery,
} from './referral-sql.js';

type RawRow = Record<string, unknown>;

/** `payback.total` markers: a registration reward and its clawback. */
export const REWARD_TOTAL = '-1.00';
export const CLAWBACK_TOTAL = '-2.00';

export interface ChainLink {
  id: number;
  refBy: number;
  enable: number;
}

/** A referrer above the payer, with what the payer's payments already earned them. */
export interface ChainEarner extends ChainLink {
  /** Payments of the payer that earned this user a commission; null when not counted. */
  paidCommissions: number | null;
}

/** The payer's link and the links above it, level 1 first (null past the chain's end). */
export interface CommissionChain {
  payer: ChainLink;
  above: (ChainEarner | null)[];
}

export interface RewardRow {
  id: number;
  refGet: string;
}

export interface ClawbackCandidate {
  id: number;
  refBy: number;
}

export interface ReferralHistoryRow {
  userid: number;
  email: string | null;
  refGet: string;
  total: string;
  datetime: number;
  level: number;
}

/** SQL of the referral ledger (`payback`) and the referral columns of `user`. */
@Injectable()
export class ReferralRepository {
  private readonly q: Quote;

  private readonly hydrateLink;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.hydrateLink = hydrator(dataSource, User, ['id', 'refBy', 'enable']);
  }

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** A user's link in a referral chain; null when the user is gone. */
  async findChainLink(
    manager: EntityManager,
    userId: number,
  ): Promise<ChainLink | null> {
    const [row] = await queryIn<RawRow[]>(
      manager,
      chainLinkQuery(this.q, userId),
    );
    return row ? this.hydrateLink(row) : null;
  }

  /**
   * The payer's chain `depth` levels up in one read (see commissionChainQuery), with each
   * level's PAYBACK_MAX_TIMES count when `countPaid`; null when the payer is gone.
   */
  async findCommissionChain(
    manager: EntityManager,
    payerId: number,
    depth: number,
    countPaid: boolean,
  ): Promise<CommissionChain | null> {
    const [row] = await queryIn<RawRow[]>(
      manager,
      commissionChainQuery(this.q, payerId, depth, countPaid),
    );
    if (!row) return null;
    const above: (ChainEarner | null)[] = [];
    for (let k = 1; k <= depth; k++) {
      if (row[`id${k}`] === null || row[`id${k}`] === undefined) {
        above.push(null);
        continue;
      }
      const link = this.hydrateLink({
        id: row[`id${k}`],
        refBy: row[`refBy${k}`],
        enable: row[`enable${k}`],
      });
      above.push({
        ...link,
        paidCommissions: countPaid ? Number(row[`paid${k}`]) : null,
      });
    }
    return { payer: this.hydrateLink(row), above };
  }

  /**
   * Locks the inviter's row (MySQL; SQLite runs one transaction at a time) so concurrent
   * registrations with one code count the rewards one after another.
   */
  async lockInviter(manager: EntityManager, inviterId: number): Promise<void> {
    await forUpdate(
      manager
        .createQueryBuilder(User, 'u')
        .select('u.id')
        .where('u.id = :inviterId', { inviterId }),
    ).getOne();
  }

  /** Registration rewards (not clawed back or not) paid to `inviterId` since `since` (unix). */
  countRewardsSince(
    manager: EntityManager,
    inviterId: number,
    since: number,
  ): Promise<number> {
    return manager
      .createQueryBuilder(Payback, 'p')
      .where('p.ref_by = :inviterId', { inviterId })
      .andWhere('p.total = :reward', { reward: REWARD_TOTAL })
      .andWhere('p.datetime >= :since', { since })
      .getCount();
  }

  async insertPayback(
    manager: EntityManager,
    row: Omit<Payback, 'id'>,
  ): Promise<number> {
    const { sql, params } = insertPaybackQuery(this.q, row);
    return insertedId(await runStructured(manager, sql, params));
  }

  /** The unclaimed registration reward `inviterId` got for `refereeId`, if any. */
  findOpenReward(
    manager: EntityManager,
    refereeId: number,
    inviterId: number,
  ): Promise<RewardRow | null> {
    return manager
      .createQueryBuilder(Payback, 'p')
      .select(['p.id', 'p.refGet'])
      .where('p.userid = :refereeId', { refereeId })
      .andWhere('p.ref_by = :inviterId', { inviterId })
      .andWhere('p.total = :reward', { reward: REWARD_TOTAL })
      .andWhere('p.callback = 0')
      .orderBy('p.id', 'ASC')
      .getOne();
  }

  async hasClawback(
    manager: EntityManager,
    refereeId: number,
    inviterId: number,
  ): Promise<boolean> {
    const n = await manager
      .createQueryBuilder(Payback, 'p')
      .where('p.userid = :refereeId', { refereeId })
      .andWhere('p.ref_by = :inviterId', { inviterId })
      .andWhere('p.total = :clawback', { clawback: CLAWBACK_TOTAL })
      .getCount();
    return n > 0;
  }

  /** `callback = 1` only if still 0: the claim that makes a clawback happen once. */
  async claimReward(
    manager: EntityManager,
    rewardId: number,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Payback)
      .set({ callback: 1 })
      .where('id = :rewardId AND callback = 0', { rewardId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async incrementBanTimes(
    manager: EntityManager,
    userId: number,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ banTimes: () => 'ban_times + 1' })
      .where('id = :userId', { userId })
      .execute();
  }

  /** The referee loses their inviter and their service (`ref_by = 0, enable = 0`). */
  async detachReferee(
    manager: EntityManager,
    refereeId: number,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ refBy: 0, enable: 0 })
      .where('id = :refereeId', { refereeId })
      .execute();
  }

  findScore(manager: EntityManager, userId: number): Promise<number | null> {
    return manager
      .findOne(User, {
        where: { id: userId },
        select: { id: true, score: true },
      })
      .then((u) => u?.score ?? null);
  }

  /**
   * Up to `limit` referees after `afterId` that the daily clawback would act on: negative
   * balance, low score, an unclaimed reward for their current inviter and no clawback yet.
   */
  async findClawbackCandidates(
    afterId: number,
    scoreBelow: number,
    limit: number,
  ): Promise<ClawbackCandidate[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(User, 'u')
      .select('u.id', 'id')
      .addSelect('u.ref_by', 'ref_by')
      .where('u.id > :afterId', { afterId })
      .andWhere('u.money < 0')
      .andWhere('u.ref_by <> 0')
      .andWhere('u.score < :scoreBelow', { scoreBelow })
      .andWhere(
        'EXISTS (SELECT 1 FROM payback r WHERE r.userid = u.id AND r.ref_by = u.ref_by AND r.total = :reward AND r.callback = 0)',
        { reward: REWARD_TOTAL },
      )
      .andWhere(
        'NOT EXISTS (SELECT 1 FROM payback c WHERE c.userid = u.id AND c.ref_by = u.ref_by AND c.total = :clawback)',
        { clawback: CLAWBACK_TOTAL },
      )
      .orderBy('u.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string; ref_by: number | string }>();
    return rows.map((r) => ({ id: Number(r.id), refBy: Number(r.ref_by) }));
  }

  async findInviteCode(userId: number): Promise<string | null | undefined> {
    const user = await this.m().findOne(User, {
      where: { id: userId },
      select: { id: true, inviteCode: true },
    });
    return user ? user.inviteCode : undefined;
  }

  /** Sets a code only where none exists, so concurrent first views agree on one code. */
  async assignInviteCode(userId: number, code: string): Promise<void> {
    await this.m()
      .createQueryBuilder()
      .update(User)
      .set({ inviteCode: code })
      .where('id = :userId AND invite_code IS NULL', { userId })
      .execute();
  }

  countInvited(userId: number): Promise<number> {
    return this.m().count(User, { where: { refBy: userId } });
  }

  /** Net earnings (rewards and commissions minus clawbacks), as a DECIMAL string or number. */
  async sumEarned(userId: number): Promise<string | number> {
    const row = await this.m()
      .createQueryBuilder(Payback, 'p')
      .select('COALESCE(SUM(p.ref_get), 0)', 'sum')
      .where('p.ref_by = :userId', { userId })
      .getRawOne<{ sum: string | number }>();
    return row?.sum ?? 0;
  }

  async history(userId: number, limit: number): Promise<ReferralHistoryRow[]> {
    const rows = await this.m()
      .createQueryBuilder(Payback, 'p')
      .leftJoin(User, 'u', 'u.id = p.userid')
      .select('p.userid', 'userid')
      .addSelect('u.email', 'email')
      .addSelect('p.ref_get', 'ref_get')
      .addSelect('p.total', 'total')
      .addSelect('p.datetime', 'datetime')
      .addSelect('p.level', 'level')
      .where('p.ref_by = :userId', { userId })
      .orderBy('p.id', 'DESC')
      .limit(limit)
      .getRawMany<{
        userid: number | string;
        email: string | null;
        ref_get: string | number;
        total: string | number;
        datetime: number | string;
        level: number | string;
      }>();
    return rows.map((r) => ({
      userid: Number(r.userid),
      email: r.email,
      refGet: String(r.ref_get),
      total: String(r.total),
      datetime: Number(r.datetime),
      level: Number(r.level),
    }));
  }
}
