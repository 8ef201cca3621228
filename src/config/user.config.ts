import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, Matches, Min } from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

/** Node groups: `2-5`, `2,3` or `1-2,7`. */
const GROUPS = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/**
 * The account rules of the maintenance jobs (docs/spec/scheduler.md), owned by the user module: traffic
 * cycle, traffic guards, suspensions and account deletion, each threshold with the seed's value
 * as default. When the steps run, and whether at all, is the scheduler's config.
 */
export class UserEnv {
  // --- traffic cycle (daily) ---
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  TRANSFER_LIMIT_PER_CLASS_GB = 10;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  RENEW_DAYS_PER_CLASS = 10;

  @Matches(GROUPS, { message: 'must be node groups like 2-5 or 2,3' })
  DAILY_GUARD_GROUPS = '2-5';

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  DAILY_GUARD_GB = 32;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  UNUSED_DAYS = 32;

  // --- hourly ---
  @Matches(GROUPS, { message: 'must be node groups like 2-5 or 2,3' })
  HOURLY_GUARD_GROUPS = '2-3';

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  HOURLY_GUARD_GB = 6;

  // --- check: account deletion ---
  @Transform(toBool)
  @IsBoolean()
  DELETE_USERS = true;

  @Transform(toBool)
  @IsBoolean()
  AUTO_CLEAN_NEVER_USED = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTO_CLEAN_NEVER_USED_DAYS = 14;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  AUTO_CLEAN_NEVER_USED_MAX_MONEY = 1;

  @Transform(toBool)
  @IsBoolean()
  AUTO_CLEAN_UNCHECK = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTO_CLEAN_UNCHECK_DAYS = 32;

  @Transform(toBool)
  @IsBoolean()
  AUTO_CLEAN_UNUSED = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTO_CLEAN_UNUSED_DAYS = 7;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  AUTO_CLEAN_MIN_MONEY = 0;

  @Transform(toBool)
  @IsBoolean()
  ACCOUNT_EXPIRE_DELETE = true;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  ACCOUNT_EXPIRE_DELETE_DAYS = 7;
}

/** `2-5` → [2, 3, 4, 5]; `2,3` → [2, 3]. */
export function parseGroups(spec: string): number[] {
  const groups = new Set<number>();
  for (const part of spec.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let g = Math.min(from, to); g <= Math.max(from, to); g++)
      groups.add(g);
  }
  return [...groups].sort((a, b) => a - b);
}

const GB = 1024 ** 3;

export const userConfig = registerAs('user', () => {
  const env = readEnv(UserEnv);
  return {
    transferLimitPerClassBytes: Math.round(
      env.TRANSFER_LIMIT_PER_CLASS_GB * GB,
    ),
    renewDaysPerClass: env.RENEW_DAYS_PER_CLASS,
    dailyGuard: {
      groups: parseGroups(env.DAILY_GUARD_GROUPS),
      limitBytes: Math.round(env.DAILY_GUARD_GB * GB),
    },
    hourlyGuard: {
      groups: parseGroups(env.HOURLY_GUARD_GROUPS),
      limitBytes: Math.round(env.HOURLY_GUARD_GB * GB),
    },
    unusedDays: env.UNUSED_DAYS,
    deletion: {
      enabled: env.DELETE_USERS,
      neverUsed: env.AUTO_CLEAN_NEVER_USED,
      neverUsedDays: env.AUTO_CLEAN_NEVER_USED_DAYS,
      neverUsedMaxMoney: env.AUTO_CLEAN_NEVER_USED_MAX_MONEY,
      uncheck: env.AUTO_CLEAN_UNCHECK,
      uncheckDays: env.AUTO_CLEAN_UNCHECK_DAYS,
      unused: env.AUTO_CLEAN_UNUSED,
      unusedDays: env.AUTO_CLEAN_UNUSED_DAYS,
      minMoney: env.AUTO_CLEAN_MIN_MONEY,
      expired: env.ACCOUNT_EXPIRE_DELETE,
      expiredDays: env.ACCOUNT_EXPIRE_DELETE_DAYS,
    },
  };
});

export type UserConfig = ReturnType<typeof userConfig>;
