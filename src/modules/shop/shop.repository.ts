import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { toCents } from '../../common/money.js';
import { Bought, Shop, User } from '../../database/entities/index.js';
import { forUpdate } from '../../database/dialect.js';
import {
  hydrator,
  insertedId,
  Quote,
  runStructured,
} from '../../database/raw-sql.js';
import {
  insertBoughtQuery,
  PLAN_COLUMNS,
  planQuery,
  transferEnableQuery,
} from './shop-sql.js';
import { PurchaseOutcome, PurchaseUser } from './purchase-rules.js';

export interface LockedPurchaser extends PurchaseUser {
  moneyCents: number;
}

export interface DueRenewal {
  id: number;
  userid: number;
  shopid: number;
  renew: number;
}

export type NewPlan = Omit<Shop, 'id'>;

type RawRow = Record<string, unknown>;

/** SQL of plans, purchase history and the account columns a purchase changes. */
@Injectable()
export class ShopRepository {
  private readonly q: Quote;

  private readonly hydratePlan;

  private readonly hydrateQuota;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.hydratePlan = hydrator(
      dataSource,
      Shop,
      Object.keys(PLAN_COLUMNS) as (keyof Shop)[],
    );
    this.hydrateQuota = hydrator(dataSource, User, ['transferEnable']);
  }

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  listPlans(onSaleOnly: boolean): Promise<Shop[]> {
    return this.m().find(Shop, {
      where: onSaleOnly ? { status: 1 } : {},
      order: { id: 'ASC' },
    });
  }

  async findPlan(id: number, manager?: EntityManager): Promise<Shop | null> {
    const { sql, params } = planQuery(this.q, id);
    const [row] = (await this.m(manager).query(sql, params)) as RawRow[];
    return row ? Object.assign(new Shop(), this.hydratePlan(row)) : null;
  }

  async insertPlan(plan: NewPlan): Promise<number> {
    const result = await this.m().insert(Shop, plan);
    return Number(result.identifiers[0].id);
  }

  async updatePlan(id: number, values: Partial<NewPlan>): Promise<boolean> {
    if (Object.keys(values).length === 0)
      return (await this.m().countBy(Shop, { id })) > 0;
    const result = await this.m().update(Shop, { id }, values);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Reads the purchaser's level, expiry and balance and holds their row until commit, so one
   * user's purchases and renewals run one after another and each sees the previous one's result.
   * It must come before any plain (non-locking) read in the transaction: InnoDB takes the
   * REPEATABLE READ snapshot at the first plain read, so every later read (e.g. the per-user
   * coupon count) then includes what earlier holders of this lock committed. The embedded SQLite mode
   * runs one transaction at a time (sqlite-serializer), so a plain read is already exclusive.
   */
  async lockPurchaser(
    manager: EntityManager,
    userId: number,
  ): Promise<LockedPurchaser | null> {
    const qb = manager
      .createQueryBuilder(User, 'u')
      .select([
        'u.id',
        'u.classLevel',
        'u.classExpire',
        'u.expireIn',
        'u.money',
      ])
      .where('u.id = :userId', { userId });
    forUpdate(qb);
    const user = await qb.getOne();
    if (!user) return null;
    return {
      classLevel: user.classLevel,
      classExpire: user.classExpire,
      expireIn: user.expireIn,
      moneyCents: toCents(user.money),
    };
  }

  /**
   * Writes the purchase's account changes; the quota is added in SQL (a counter: never read,
   * add in JS, write back). Returns the resulting `transfer_enable`.
   */
  async applyOutcome(
    manager: EntityManager,
    userId: number,
    outcome: PurchaseOutcome,
  ): Promise<number> {
    const set: Record<string, unknown> = {
      classLevel: outcome.classLevel,
      classExpire: outcome.classExpire,
      expireIn: outcome.expireIn,
    };
    const params: Record<string, unknown> = { userId };
    if (outcome.quota.mode === 'reset')
      Object.assign(set, {
        transferEnable: outcome.quota.bytes,
        u: 0,
        d: 0,
        lastDayT: 0,
      });
    if (outcome.quota.mode === 'add') {
      set.transferEnable = () => 'transfer_enable + :addBytes';
      params.addBytes = outcome.quota.bytes;
    }
    if (outcome.speedlimit !== null) set.nodeSpeedlimit = outcome.speedlimit;
    if (outcome.connector !== null) set.nodeConnector = outcome.connector;
    await manager
      .createQueryBuilder()
      .update(User)
      .set(set)
      .where('id = :userId')
      .setParameters(params)
      .execute();
    const quota = transferEnableQuery(this.q, userId);
    const [row] = (await manager.query(quota.sql, quota.params)) as RawRow[];
    if (!row) throw new Error(`User ${userId} not found`);
    return this.hydrateQuota(row).transferEnable;
  }

  async insertBought(
    manager: EntityManager,
    row: Omit<Bought, 'id'>,
  ): Promise<number> {
    const { sql, params } = insertBoughtQuery(this.q, row);
    return insertedId(await runStructured(manager, sql, params));
  }

  /** This user's purchases with this coupon code (the per-user `onetime` count). */
  countCouponUses(
    manager: EntityManager,
    userId: number,
    code: string,
  ): Promise<number> {
    return manager.countBy(Bought, { userid: userId, coupon: code });
  }

  findHistory(
    userId: number,
    limit: number,
    offset: number,
  ): Promise<[Bought[], number]> {
    return this.m().findAndCount(Bought, {
      where: { userid: userId },
      order: { id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  /** Due renewals (`0 < renew < dueBefore`) whose plan still exists, in id order after `afterId`. */
  findDueRenewals(
    afterId: number,
    dueBefore: number,
    limit: number,
  ): Promise<DueRenewal[]> {
    return this.m()
      .createQueryBuilder(Bought, 'b')
      .innerJoin(Shop, 's', 's.id = b.shopid')
      .select([
        'b.id AS id',
        'b.userid AS userid',
        'b.shopid AS shopid',
        'b.renew AS renew',
      ])
      .where('b.id > :afterId', { afterId })
      .andWhere('b.renew > 0')
      .andWhere('b.renew < :dueBefore', { dueBefore })
      .orderBy('b.id', 'ASC')
      .limit(limit)
      .getRawMany<Record<keyof DueRenewal, number | string>>()
      .then((rows) =>
        rows.map((r) => ({
          id: Number(r.id),
          userid: Number(r.userid),
          shopid: Number(r.shopid),
          renew: Number(r.renew),
        })),
      );
  }

  /**
   * Ends a row's auto-renew if it is still the renewal we saw: the conditional update is what
   * lets two scheduler replicas (or a retry) never renew the same row twice.
   */
  async stopRenewal(
    manager: EntityManager,
    boughtId: number,
    renew: number,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Bought)
      .set({ renew: 0 })
      .where('id = :boughtId AND renew = :renew', { boughtId, renew })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async setWarming(
    manager: EntityManager,
    userId: number,
    warming: string,
  ): Promise<void> {
    await manager.update(User, { id: userId }, { warming });
  }
}
