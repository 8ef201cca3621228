import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../../database/entities/index.js';
import { UserSort } from './dto/admin-user.dto.js';

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

/** The operator's queries on `user`. */
@Injectable()
export class AdminUserRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async search(s: UserSearch): Promise<{ rows: User[]; count: number }> {
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u');
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

  findById(id: number, manager?: EntityManager): Promise<User | null> {
    return (manager ?? this.dataSource.manager).findOne(User, {
      where: { id },
    });
  }

  async update(id: number, values: Partial<User>): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(User)
      .update({ id }, values);
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
