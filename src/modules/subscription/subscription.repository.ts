import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import {
  Link,
  SUBSCRIPTION_LINK_TYPE,
  User,
} from '../../database/entities/index.js';
import { poolQuery, type Quote } from '../../database/raw-sql.js';
import { forUpdate } from '../../database/dialect.js';
import type { Subscriber } from './subscription-content.js';
import {
  fetchStatsQuery,
  SUBSCRIBER_COLUMNS,
  subscriberQuery,
  tokenOwnerQuery,
} from './subscription-sql.js';

type RawSubscriber = Record<keyof Subscriber, unknown>;

/** SQL of subscription tokens (`link`, type 11) and the account columns a fetch reads/writes. */
@Injectable()
export class SubscriptionRepository {
  private readonly q: Quote;
  /** The User columns of SUBSCRIBER_COLUMNS, for the driver's hydration (dates, bigints). */
  private subscriberColumns: [keyof Subscriber, ColumnMetadata][] | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * Holds the user's row until commit (MySQL; the embedded SQLite mode runs one transaction at
   * a time), so two first fetches of the token page, or a fetch and a reset, run one after the
   * other. False when the user does not exist.
   */
  async lockUser(manager: EntityManager, userId: number): Promise<boolean> {
    const qb = manager
      .createQueryBuilder(User, 'u')
      .select('u.id')
      .where('u.id = :userId', { userId });
    forUpdate(qb);
    return (await qb.getOne()) !== null;
  }

  /** The user's token; with several legacy rows, the oldest one's. */
  async findToken(
    userId: number,
    manager?: EntityManager,
  ): Promise<string | null> {
    const row = await this.m(manager).findOne(Link, {
      select: { id: true, token: true },
      where: { userid: userId, type: SUBSCRIPTION_LINK_TYPE },
      order: { id: 'ASC' },
    });
    return row?.token ?? null;
  }

  async insertToken(
    manager: EntityManager,
    userId: number,
    token: string,
  ): Promise<void> {
    await manager.insert(Link, {
      type: SUBSCRIPTION_LINK_TYPE,
      address: '',
      port: 0,
      token,
      ios: 0,
      userid: userId,
      isp: null,
      geo: 0,
      method: null,
    });
  }

  /** Gives every type-11 row of the user the new token; the number of rows changed. */
  async replaceToken(
    manager: EntityManager,
    userId: number,
    token: string,
  ): Promise<number> {
    const result = await manager.update(
      Link,
      { userid: userId, type: SUBSCRIPTION_LINK_TYPE },
      { token },
    );
    return result.affected ?? 0;
  }

  /** Whose token this is (the token lookup behind the cache). */
  async findUserIdByToken(token: string): Promise<number | null> {
    const [row] = await poolQuery<{ userId: unknown }[]>(
      this.dataSource,
      tokenOwnerQuery(this.q, token),
    );
    return row ? Number(row.userId) : null;
  }

  /**
   * The subscriber, only while `token` is still theirs: one query through the user's primary
   * key and the (userid, type) index, so a stale cached token→user entry can never serve an old
   * token, on any replica.
   */
  findSubscriber(userId: number, token: string): Promise<Subscriber | null> {
    return poolQuery<RawSubscriber[]>(
      this.dataSource,
      subscriberQuery(this.q, userId, token),
    ).then(([row]) => (row ? this.hydrate(row) : null));
  }

  /** Today's fetch statistics into the legacy columns (the daily job copies them to *_lastday). */
  recordFetchStats(
    userId: number,
    fetches: number,
    ips: number,
  ): Promise<unknown> {
    return poolQuery(
      this.dataSource,
      fetchStatsQuery(this.q, userId, fetches, ips),
    );
  }

  /** A raw row as TypeORM would load it: the driver's date handling, the column transformers. */
  private hydrate(row: RawSubscriber): Subscriber {
    this.subscriberColumns ??= (
      Object.keys(SUBSCRIBER_COLUMNS) as (keyof Subscriber)[]
    ).map((property) => {
      const column = this.dataSource
        .getMetadata(User)
        .findColumnWithPropertyName(property);
      if (!column) throw new Error(`User has no column ${property}`);
      return [property, column];
    });
    const driver = this.dataSource.driver;
    const subscriber: Partial<Record<keyof Subscriber, unknown>> = {};
    for (const [property, column] of this.subscriberColumns)
      subscriber[property] = driver.prepareHydratedValue(row[property], column);
    return subscriber as Subscriber;
  }

  /** Records why the account was flagged (`user.warming`, shown to the user). */
  async warn(userId: number, warming: string): Promise<void> {
    await this.m().update(User, { id: userId }, { warming });
  }

  /** Suspends the account if it still is enabled; true only for the call that did it. */
  async disable(userId: number, warming: string): Promise<boolean> {
    const result = await this.m().update(
      User,
      { id: userId, enable: 1 },
      { enable: 0, warming },
    );
    return (result.affected ?? 0) > 0;
  }
}
