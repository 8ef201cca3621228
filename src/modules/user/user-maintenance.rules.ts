import type { ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { User } from '../../database/entities/index.js';

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

/** `AND`s conditions together (each parenthesised), merging their parameters. */
export function allOf(...parts: UserCondition[]): UserCondition {
  return {
    where: parts.map((p) => `(${p.where})`).join(' AND '),
    params: Object.assign({}, ...parts.map((p) => p.params)) as ObjectLiteral,
  };
}

const CLASS = '`class`';
/** 30 days in seconds: the expired-account rule weighs money as days of grace (1 unit = 30 days). */
const MONTH_S = 30 * 86_400;

/** A free account idle since `sinceS`, registered before `regBefore`, with at most `minMoney`. */
interface IdleFreeAccount {
  sinceS: number;
  regBefore: Date;
  minMoney: number;
}

/** check 3b / 3c: `column` (a unix time) older than `sinceS`; parameters named `<prefix>…`. */
function idleFreeAccount(
  column: 't' | 'last_check_in_time',
  prefix: string,
  p: IdleFreeAccount,
): UserCondition {
  return {
    where:
      `is_admin = 0 AND ${CLASS} = 0 AND ${column} < :${prefix}Since ` +
      `AND reg_date < :${prefix}RegBefore AND money <= :${prefix}MinMoney`,
    params: {
      [`${prefix}Since`]: p.sinceS,
      [`${prefix}RegBefore`]: p.regBefore,
      [`${prefix}MinMoney`]: p.minMoney,
    },
  };
}

/**
 * The rule catalogue of the maintenance jobs (docs/spec/scheduler.md): which users each step touches and
 * what it changes, as SQL fragments built by pure functions. Thresholds come
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
  deleteUnchecked(p: IdleFreeAccount): UserCondition {
    return idleFreeAccount('last_check_in_time', 'uncheck', p);
  },

  /** check 3c: free, no traffic for N days (account at least N days old), no money. */
  deleteUnused(p: IdleFreeAccount): UserCondition {
    return idleFreeAccount('t', 'idle', p);
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
