import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { isMysql } from '../../database/dialect.js';
import { User, UserArchive } from '../../database/entities/index.js';

/**
 * A WHERE clause over `user` with its parameters, built once per step and used by both the
 * UPDATE/DELETE and the dry run's COUNT, so the two can never disagree. Column names are bare
 * (single-table statements); `class` is quoted with backticks, which MySQL and SQLite accept.
 */
export interface UserCondition {
  where: string;
  params: ObjectLiteral;
}

/** A set-based change: which users, and the SET (SQL expressions may use the params). */
export interface UserChange extends UserCondition {
  set: QueryDeepPartialEntity<User>;
}

export interface TrafficTotal {
  id: number;
  total: number;
}

/** `AND`s conditions together (each parenthesised), merging their parameters. */
export function allOf(...parts: UserCondition[]): UserCondition {
  return {
    where: parts.map((p) => `(${p.where})`).join(' AND '),
    params: Object.assign({}, ...parts.map((p) => p.params)) as ObjectLiteral,
  };
}

/**
 * SQL of the maintenance jobs over `user`: counts, id-range batched updates, keyset scans and
 * the archive-then-delete of accounts. Never loads more than one batch of rows.
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
    // SQLite has no row locks; its single writer already serialises the transaction.
    if (this.isMysql) qb.setLock('pessimistic_write');
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

const CLASS = '`class`';
/** 30 days in seconds: the expired-account rule weighs money as days of grace (1 unit = 30 days). */
const MONTH_S = 30 * 86_400;

/**
 * The conditions and changes of the maintenance rules (scheduler.md), as SQL. Thresholds come
 * in as parameters computed in JS (unix ints, Dates), so the SQL is the same on both databases.
 * Parameter names are unique per rule: a statement adds its own id-range parameters.
 */
export const UserRules = {
  /** daily 1: `u += d, d = 0`, new allowance and next reset for every due user with a level. */
  trafficCycle(p: {
    nowS: number;
    limitPerClass: number;
    renewPerClassS: number;
  }): UserChange {
    return {
      where: `enable > 0 AND ${CLASS} > 0 AND renew_time < :nowS`,
      params: p,
      // MySQL assigns left to right: `u` reads `d` before `d` is zeroed (entity column order).
      set: {
        u: () => 'u + d',
        d: 0,
        transferLimit: () => `${CLASS} * :limitPerClass`,
        renewTime: () => `:nowS + ${CLASS} * :renewPerClassS`,
      },
    };
  },

  /** daily 3 / hourly 1: enabled users of the guarded groups with traffic in the window. */
  trafficGuardCandidates(p: {
    groups: number[];
    activeSinceS: number;
  }): UserCondition {
    return {
      where:
        'node_group IN (:...guardGroups) AND enable = 1 AND t > :guardActiveSince',
      params: { guardGroups: p.groups, guardActiveSince: p.activeSinceS },
    };
  },

  /** Disables still-enabled users with a reason (guards). */
  disable(warning: string): UserChange {
    return {
      where: 'enable = 1',
      params: {},
      set: { enable: 0, warming: warning },
    };
  },

  /** daily 4: non-admins with a level, idle since `unusedSinceS`, registered before `regBefore`. */
  unusedAccounts(p: {
    unusedSinceS: number;
    regBefore: Date;
    warning: string;
  }): UserChange {
    return {
      where:
        `is_admin = 0 AND enable = 1 AND ${CLASS} > 0 AND t < :unusedSince ` +
        'AND reg_date < :unusedRegBefore',
      params: {
        unusedSince: p.unusedSinceS,
        unusedRegBefore: p.regBefore,
      },
      set: { enable: 0, warming: p.warning },
    };
  },

  /** daily 5: download past the cycle allowance: penalty, one group down, allowance raised. */
  overAllowance(p: { limitPerClass: number; warning: string }): UserChange {
    return {
      where: `node_group > 1 AND enable = 1 AND ${CLASS} > 0 AND d > transfer_limit`,
      params: { overLimitPerClass: p.limitPerClass },
      set: {
        score: () => 'score - 1',
        banTimes: () => 'ban_times + 1',
        nodeGroup: () => 'node_group - 1',
        transferLimit: () => `transfer_limit + ${CLASS} * :overLimitPerClass`,
        warming: p.warning,
      },
    };
  },

  /** daily 6: paying, active users of the upper groups earn a point. */
  activityScore(p: { activeSinceS: number }): UserChange {
    return {
      where:
        `node_group > 1 AND enable = 1 AND money > 0 AND ${CLASS} > 0 ` +
        'AND t > :scoreActiveSince',
      params: { scoreActiveSince: p.activeSinceS },
      set: { score: () => 'score + 1' },
    };
  },

  /** daily 8: yesterday's counters for recently active users. */
  dailyStatistics(p: { activeSinceS: number }): UserChange {
    return {
      where: `enable = 1 AND ${CLASS} > 0 AND t > :statsActiveSince`,
      params: { statsActiveSince: p.activeSinceS },
      set: {
        lastDayT: () => 'd',
        rssCountLastday: () => 'rss_count',
        rssIpsLastday: () => 'rss_ips_count',
      },
    };
  },

  /** daily 9 / check 2: a lapsed level drops to 0. */
  levelExpiry(p: { now: Date }): UserChange {
    return {
      where: `${CLASS} > 0 AND class_expire < :levelNow`,
      params: { levelNow: p.now },
      set: { classLevel: 0 },
    };
  },

  /** check 4: negative balance suspends the service, once (the rule needs `enable = 1`). */
  negativeBalance(p: { warning: string }): UserChange {
    return {
      where: 'money < 0 AND enable = 1',
      params: {},
      set: {
        enable: 0,
        banTimes: () => `ban_times + ${CLASS}`,
        nodeGroup: () =>
          'CASE WHEN node_group > 1 THEN node_group - 1 ELSE node_group END',
        score: () => 'score - 1',
        warming: p.warning,
      },
    };
  },

  /** check 3a: never used, old enough, free and (almost) no money. */
  deleteNeverUsed(p: { regBefore: Date; maxMoney: number }): UserCondition {
    return {
      where:
        `is_admin = 0 AND t = 0 AND u = 0 AND d = 0 AND ${CLASS} = 0 ` +
        'AND reg_date < :neverUsedRegBefore AND money <= :neverUsedMaxMoney',
      params: {
        neverUsedRegBefore: p.regBefore,
        neverUsedMaxMoney: p.maxMoney,
      },
    };
  },

  /**
   * check 3b: free, no check-in for N days, no money. "No check-in for N days" also needs the
   * account to be N days old: a fresh account has `last_check_in_time = 0` yet has not missed
   * anything.
   */
  deleteUnchecked(p: {
    sinceS: number;
    regBefore: Date;
    minMoney: number;
  }): UserCondition {
    return {
      where:
        `is_admin = 0 AND ${CLASS} = 0 AND last_check_in_time < :uncheckSince ` +
        'AND reg_date < :uncheckRegBefore AND money <= :uncheckMinMoney',
      params: {
        uncheckSince: p.sinceS,
        uncheckRegBefore: p.regBefore,
        uncheckMinMoney: p.minMoney,
      },
    };
  },

  /** check 3c: free, no traffic for N days (account at least N days old), no money. */
  deleteUnused(p: {
    sinceS: number;
    regBefore: Date;
    minMoney: number;
  }): UserCondition {
    return {
      where:
        `is_admin = 0 AND ${CLASS} = 0 AND t < :idleSince ` +
        'AND reg_date < :idleRegBefore AND money <= :idleMinMoney',
      params: {
        idleSince: p.sinceS,
        idleRegBefore: p.regBefore,
        idleMinMoney: p.minMoney,
      },
    };
  },

  /**
   * check 3d: expired more than N days ago and for longer than the balance would cover at
   * 30 days per unit of money. `secondsSince` is the repository's dialect expression.
   */
  deleteExpired(p: {
    expireBefore: Date;
    now: Date;
    secondsSince: (column: string) => string;
  }): UserCondition {
    return {
      where:
        'is_admin = 0 AND expire_in < :expireBefore ' +
        `AND ${p.secondsSince('expire_in')} > money * ${MONTH_S}`,
      params: { expireBefore: p.expireBefore, now: p.now },
    };
  },
};
