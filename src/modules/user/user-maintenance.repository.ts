import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { forUpdate, isMysql } from '../../database/dialect.js';
import { User, UserArchive } from '../../database/entities/index.js';
import type { UserChange, UserCondition } from './user-maintenance.rules.js';

export interface TrafficTotal {
  id: number;
  total: number;
}

/**
 * The batch SQL of the maintenance jobs over `user`, for any rule of the catalogue
 * (user-maintenance.rules.ts): counts, id-range batched updates, keyset scans and the
 * archive-then-delete of accounts. Never loads more than one batch of rows.
 */
@Injectable()
export class UserMaintenanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get isMysql(): boolean {
    return isMysql(this.dataSource);
  }

  /**
   * Whole seconds from a DATETIME column to `:now` (the one dialect branch of this file):
   * MySQL's TIMESTAMPDIFF and SQLite's strftime both read the stored UTC text the same way.
   */
  secondsSince(column: string): string {
    return this.isMysql
      ? `TIMESTAMPDIFF(SECOND, ${column}, :now)`
      : `(CAST(strftime('%s', :now) AS INTEGER) - CAST(strftime('%s', ${column}) AS INTEGER))`;
  }

  async count(cond: UserCondition, manager?: EntityManager): Promise<number> {
    const row = await (manager ?? this.dataSource.manager)
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(User, 'user')
      .where(cond.where, cond.params)
      .getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }

  /** Lowest and highest id matching (one scan), or null when nothing matches. */
  private async idBounds(
    cond: UserCondition,
  ): Promise<{ lo: number; hi: number } | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder()
      .select('MIN(id)', 'lo')
      .addSelect('MAX(id)', 'hi')
      .from(User, 'user')
      .where(cond.where, cond.params)
      .getRawOne<{ lo: number | string | null; hi: number | string | null }>();
    if (row?.lo === null || row?.lo === undefined) return null;
    return { lo: Number(row.lo), hi: Number(row.hi) };
  }

  /**
   * Applies a change to every matching row, one id range of `batch` at a time, so no statement
   * holds more than `batch` row locks and the table stays writable for traffic reports.
   * The condition is re-evaluated by each UPDATE: a row changed meanwhile is judged afresh.
   */
  async updateInIdRanges(change: UserChange, batch: number): Promise<number> {
    const bounds = await this.idBounds(change);
    if (!bounds) return 0;
    let affected = 0;
    for (let lo = bounds.lo; lo <= bounds.hi; lo += batch) {
      const result = await this.dataSource.manager
        .createQueryBuilder()
        .update(User)
        .set(change.set)
        .where(change.where, change.params)
        .andWhere('id >= :rangeLo AND id < :rangeHi', {
          rangeLo: lo,
          rangeHi: lo + batch,
        })
        .execute();
      affected += result.affected ?? 0;
    }
    return affected;
  }

  /** `u + d` of the next `limit` matching users after `afterId` (keyset scan). */
  async findTrafficTotals(
    cond: UserCondition,
    afterId: number,
    limit: number,
  ): Promise<TrafficTotal[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder()
      .select('id', 'id')
      .addSelect('u + d', 'total')
      .from(User, 'user')
      .where(cond.where, cond.params)
      .andWhere('id > :afterId', { afterId })
      .orderBy('id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string; total: number | string }>();
    return rows.map((r) => ({ id: Number(r.id), total: Number(r.total) }));
  }

  /** Ids of the next `limit` matching users after `afterId` (keyset scan). */
  async findIds(
    cond: UserCondition,
    afterId: number,
    limit: number,
  ): Promise<number[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder()
      .select('id', 'id')
      .from(User, 'user')
      .where(cond.where, cond.params)
      .andWhere('id > :afterId', { afterId })
      .orderBy('id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string }>();
    return rows.map((r) => Number(r.id));
  }

  /** Applies a change to the given ids that still match the condition. */
  async updateIds(change: UserChange, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .update(User)
      .set(change.set)
      .where(change.where, change.params)
      .andWhere('id IN (:...changeIds)', { changeIds: ids })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Inside the deletion transaction: the full rows (every column, including columns of an
   * adopted database that no entity maps) of the given ids that still match, locked on MySQL
   * so a concurrent top-up either lands first (and the row no longer matches) or waits.
   */
  async lockRowsForDeletion(
    manager: EntityManager,
    cond: UserCondition,
    ids: number[],
  ): Promise<Record<string, unknown>[]> {
    const qb = manager
      .createQueryBuilder()
      .select('*')
      .from(User, 'user')
      .where(cond.where, cond.params)
      .andWhere('id IN (:...lockIds)', { lockIds: ids })
      .orderBy('id', 'ASC');
    forUpdate(qb);
    return qb.getRawMany<Record<string, unknown>>();
  }

  async insertArchives(
    manager: EntityManager,
    rows: Omit<UserArchive, 'id'>[],
  ): Promise<void> {
    if (rows.length > 0) await manager.insert(UserArchive, rows);
  }

  async deleteIds(manager: EntityManager, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(User)
      .where('id IN (:...deleteIds)', { deleteIds: ids })
      .execute();
    return result.affected ?? 0;
  }
}
