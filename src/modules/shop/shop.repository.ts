import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { toCents } from '../../common/money.js';
import { Bought, Shop, User } from '../../database/entities/index.js';
import { forUpdateClause } from '../../database/dialect.js';
import {
  hydrator,
  insertedId,
  persister,
  poolQuery,
  queryIn,
  Quote,
  runStructured,
} from '../../database/raw-sql.js';
import {
  accountUpdateQuery,
  insertBoughtQuery,
  PLAN_COLUMNS,
  planQuery,
  PURCHASER_COLUMNS,
  purchaserQuery,
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

  private readonly hydratePurchaser;

  private readonly persistDate;

  private readonly lock: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.lock = forUpdateClause(dataSource);
    this.hydratePurchaser = hydrator(
      dataSource,
      User,
      Object.keys(PURCHASER_COLUMNS) as (keyof typeof PURCHASER_COLUMNS)[],
    );
    this.persistDate = persister(dataSource, User, ['classExpire', 'expireIn']);
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
    const query = planQuery(this.q, id);
    const [row] = manager
      ? await queryIn<RawRow[]>(manager, query)
      : await poolQuery<RawRow[]>(this.dataSource, query);
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
    const [row] = await queryIn<RawRow[]>(
      manager,
      purchaserQuery(this.q, userId, this.lock),
    );
    if (!row) return null;
    const user = this.hydratePurchaser(row);
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
    const update = accountUpdateQuery(this.q, userId, {
      ...outcome,
      classExpire: this.persistDate('classExpire', outcome.classExpire)!,
      expireIn: this.persistDate('expireIn', outcome.expireIn)!,
    });
    await queryIn(manager, update);
    const [row] = await queryIn<RawRow[]>(
      manager,
      transferEnableQuery(this.q, userId),
    );
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
