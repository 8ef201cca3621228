import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../../database/entities/index.js';
import { hydrator, poolQuery, Quote } from '../../database/raw-sql.js';
import type { UserSort } from './dto/admin-user.dto.js';
import { AUTH_IDENTITY_COLUMNS, authIdentityQuery } from './user-sql.js';

type AuthIdentity = Pick<User, keyof typeof AUTH_IDENTITY_COLUMNS>;

export type NewUser = Pick<
  User,
  | 'email'
  | 'pass'
  | 'passwd'
  | 'uuid'
  | 'port'
  | 'userName'
  | 'inviteCode'
  | 'refBy'
  | 'regIp'
> &
  Partial<User>;

/** An operator's search over users (GET /admin/users). */
export interface UserSearch {
  q?: string;
  id?: number;
  status?: 'enabled' | 'disabled';
  sort: UserSort;
  limit: number;
  offset: number;
}

const SORT_COLUMNS: Record<string, keyof User> = {
  id: 'id',
  email: 'email',
  money: 'money',
  reg_date: 'regDate',
  t: 't',
};

/**
 * SQL for the `user` table row by row: auth, the account views and the operator's user routes.
 * The maintenance jobs' set-based SQL is UserMaintenanceRepository's.
 */
@Injectable()
export class UserRepository {
  private readonly q: Quote;

  private readonly hydrateIdentity;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.hydrateIdentity = hydrator(
      dataSource,
      User,
      Object.keys(AUTH_IDENTITY_COLUMNS) as (keyof AuthIdentity)[],
    );
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: number, manager?: EntityManager): Promise<User | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  /**
   * The few columns a JWT check needs (the hash: a token carries a stamp of it, so a password
   * change revokes the user's tokens); null once the user is deleted.
   */
  async findAuthIdentity(id: number): Promise<AuthIdentity | null> {
    const [row] = await poolQuery<Record<string, unknown>[]>(
      this.dataSource,
      authIdentityQuery(this.q, id),
    );
    return row ? this.hydrateIdentity(row) : null;
  }

  findLoginByEmail(
    email: string,
  ): Promise<Pick<User, 'id' | 'pass' | 'enable'> | null> {
    return this.repo().findOne({
      where: { email },
      select: { id: true, pass: true, enable: true },
    });
  }

  findLoginById(
    id: number,
  ): Promise<Pick<User, 'id' | 'pass' | 'enable'> | null> {
    return this.repo().findOne({
      where: { id },
      select: { id: true, pass: true, enable: true },
    });
  }

  /**
   * Replaces the hash only if it is still `expected` (a compare-and-set: of two concurrent
   * changes one wins, the other is told). Returns whether it did.
   */
  async replacePassword(
    id: number,
    expected: string,
    hash: string,
  ): Promise<boolean> {
    const result = await this.repo().update(
      { id, pass: expected },
      { pass: hash },
    );
    return (result.affected ?? 0) > 0;
  }

  findIdByInviteCode(
    code: string,
    manager?: EntityManager,
  ): Promise<Pick<User, 'id'> | null> {
    return this.repo(manager).findOne({
      where: { inviteCode: code },
      select: { id: true },
    });
  }

  async emailExists(email: string, manager?: EntityManager): Promise<boolean> {
    return (await this.repo(manager).count({ where: { email } })) > 0;
  }

  /**
   * A free Shadowsocks port in [min, max], or null when every one is taken. The legacy rule
   * (highest in the range + 1) while it fits, then the lowest gap (ports of deleted accounts);
   * ports outside the range (adopted rows past 65535) are ignored. Races between registrations
   * are settled by the UNIQUE index on `port` (the caller retries with a fresh read); an adopted
   * database without it (duplicates kept, a plain index) can race.
   */
  async nextPort(
    range: { min: number; max: number },
    manager?: EntityManager,
  ): Promise<number | null> {
    const top = await this.repo(manager)
      .createQueryBuilder('u')
      .select('MAX(u.port)', 'max')
      .where('u.port BETWEEN :min AND :max', range)
      .getRawOne<{ max: number | string | null }>();
    if (top?.max === null || top?.max === undefined) return range.min;
    if (Number(top.max) < range.max) return Number(top.max) + 1;
    if (!(await this.repo(manager).exists({ where: { port: range.min } })))
      return range.min;
    // The first taken port in the range whose successor is free (index lookups on `port`).
    const gap = await this.repo(manager)
      .createQueryBuilder('u')
      .select('MIN(u.port) + 1', 'port')
      .where('u.port >= :min AND u.port < :max', range)
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM ${this.dataSource.driver.escape('user')} v WHERE v.port = u.port + 1)`,
      )
      .getRawOne<{ port: number | string | null }>();
    return gap?.port === null || gap?.port === undefined
      ? null
      : Number(gap.port);
  }

  /**
   * Inserts a user with every column legacy SSPanel declares NOT NULL without a default set
   * explicitly (TypeORM would send DEFAULT, which strict mode rejects on an adopted database).
   */
  async insert(
    values: NewUser,
    now: Date,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.repo(manager).insert({
      u: 0,
      d: 0,
      transferEnable: 0,
      money: '0.00',
      theme: 'default',
      gaToken: '',
      inviteNum: 0,
      regDate: now,
      expireIn: now,
      classExpire: now,
      ...values,
    });
    return Number(result.identifiers[0].id);
  }

  async search(s: UserSearch): Promise<{ rows: User[]; count: number }> {
    const qb = this.repo().createQueryBuilder('u');
    if (s.id !== undefined) qb.andWhere('u.id = :id', { id: s.id });
    if (s.q)
      qb.andWhere('LOWER(u.email) LIKE :q', {
        q: `%${escapeLike(s.q.toLowerCase())}%`,
      });
    if (s.status)
      qb.andWhere(s.status === 'enabled' ? 'u.enable = 1' : 'u.enable = 0');
    const desc = s.sort.startsWith('-');
    const column = SORT_COLUMNS[desc ? s.sort.slice(1) : s.sort];
    qb.orderBy(`u.${column}`, desc ? 'DESC' : 'ASC');
    // Stable pages: ties broken by id (orderBy is keyed by column, so not when sorting by id).
    if (column !== 'id') qb.addOrderBy('u.id', 'DESC');
    const [rows, count] = await qb
      .skip(s.offset)
      .take(s.limit)
      .getManyAndCount();
    return { rows, count };
  }

  /** An operator's edit of plain columns; false when the user does not exist. */
  async update(id: number, values: Partial<User>): Promise<boolean> {
    const result = await this.repo().update({ id }, values);
    return (result.affected ?? 0) > 0;
  }

  /** Starts a new traffic cycle for one user: usage counters back to zero. */
  async resetTraffic(id: number): Promise<boolean> {
    return this.update(id, { u: 0, d: 0, lastDayT: 0 });
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
