import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../../database/entities/index.js';

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

/** The lowest Shadowsocks port handed out, as in the legacy panel. */
const FIRST_PORT = 10_000;

/** SQL for the `user` table that auth and the account views need. */
@Injectable()
export class UserRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: number, manager?: EntityManager): Promise<User | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  /** The few columns a JWT check needs; null once the user is deleted. */
  findAuthIdentity(
    id: number,
  ): Promise<Pick<User, 'id' | 'email' | 'isAdmin'> | null> {
    return this.repo().findOne({
      where: { id },
      select: { id: true, email: true, isAdmin: true },
    });
  }

  findLoginByEmail(email: string): Promise<Pick<User, 'id' | 'pass'> | null> {
    return this.repo().findOne({
      where: { email },
      select: { id: true, pass: true },
    });
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

  /** Next free Shadowsocks port (legacy rule: highest + 1); a UNIQUE index settles races. */
  async nextPort(manager?: EntityManager): Promise<number> {
    const row = await this.repo(manager)
      .createQueryBuilder('u')
      .select('MAX(u.port)', 'max')
      .getRawOne<{ max: number | string | null }>();
    return Math.max(FIRST_PORT, Number(row?.max ?? 0) + 1);
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
}
