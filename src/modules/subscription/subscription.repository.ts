import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { databaseConfig } from '../../config/index.js';
import {
  Link,
  SUBSCRIPTION_LINK_TYPE,
  User,
} from '../../database/entities/index.js';
import { databaseKind } from '../../database/typeorm.options.js';
import type { Subscriber } from './subscription-content.js';

/** The `user` columns a subscription reads (selected explicitly: never `pass`). */
const SUBSCRIBER_COLUMNS = [
  'u.id',
  'u.email',
  'u.uuid',
  'u.passwd',
  'u.port',
  'u.method',
  'u.classLevel',
  'u.nodeGroup',
  'u.enable',
  'u.switch',
  'u.u',
  'u.d',
  'u.transferEnable',
  'u.classExpire',
  'u.expireIn',
];

function toSubscriber(u: User): Subscriber {
  return {
    id: u.id,
    email: u.email,
    uuid: u.uuid,
    passwd: u.passwd,
    port: u.port,
    method: u.method,
    classLevel: u.classLevel,
    nodeGroup: u.nodeGroup,
    enable: u.enable,
    switch: u.switch,
    u: u.u,
    d: u.d,
    transferEnable: u.transferEnable,
    classExpire: u.classExpire,
    expireIn: u.expireIn,
  };
}

/** SQL of subscription tokens (`link`, type 11) and the account columns a fetch reads/writes. */
@Injectable()
export class SubscriptionRepository {
  private readonly isMysql: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) database: ConfigType<typeof databaseConfig>,
  ) {
    this.isMysql = databaseKind(database) === 'mysql';
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
    if (this.isMysql) qb.setLock('pessimistic_write');
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
    const row = await this.m().findOne(Link, {
      select: { id: true, userid: true },
      where: { token, type: SUBSCRIPTION_LINK_TYPE },
    });
    return row ? row.userid : null;
  }

  /**
   * The subscriber, only while `token` is still theirs: one query through the user's primary
   * key and the (userid, type) index, so a stale cached token→user entry can never serve an old
   * token, on any replica.
   */
  async findSubscriber(
    userId: number,
    token: string,
  ): Promise<Subscriber | null> {
    const user = await this.m()
      .createQueryBuilder(User, 'u')
      .select(SUBSCRIBER_COLUMNS)
      .innerJoin(
        Link,
        'l',
        'l.userid = u.id AND l.type = :type AND l.token = :token',
        { type: SUBSCRIPTION_LINK_TYPE, token },
      )
      .where('u.id = :userId', { userId })
      .getOne();
    return user ? toSubscriber(user) : null;
  }

  /** Today's fetch statistics into the legacy columns (the daily job copies them to *_lastday). */
  async recordFetchStats(
    userId: number,
    fetches: number,
    ips: number,
  ): Promise<void> {
    await this.m().update(
      User,
      { id: userId },
      { rssCount: fetches, rssIpsCount: ips },
    );
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
