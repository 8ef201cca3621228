import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Min,
} from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

/** Five-field cron (minute hour day month weekday), as @nestjs/schedule / cron accept. */
const CRON = /^\S+( \S+){4,5}$/;
/** Node groups: `2-5`, `2,3` or `1-2,7`. */
const GROUPS = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/**
 * The maintenance jobs (scheduler.md): triggers, lock, batch size, every threshold with the
 * seed's value as default, and one switch per step (`JOB_<JOB>_<STEP>=false` turns it off).
 */
export class SchedulerEnv {
  /** Turns the cron triggers on for this replica. */
  @Transform(toBool)
  @IsBoolean()
  SCHEDULER_ENABLED = true;

  @IsString()
  SCHEDULER_TZ = 'Asia/Shanghai';

  @Matches(CRON, { message: 'must be a cron expression' })
  JOB_DAILY_CRON = '0 2 * * *';

  @Matches(CRON, { message: 'must be a cron expression' })
  JOB_HOURLY_CRON = '5 * * * *';

  @Matches(CRON, { message: 'must be a cron expression' })
  JOB_CHECK_CRON = '*/10 * * * *';

  @Matches(CRON, { message: 'must be a cron expression' })
  JOB_CLEAN_CRON = '0 4 * * 0';

  /** Rows per statement of a batched step (id ranges). */
  @Transform(toNumber)
  @IsInt()
  @Min(10)
  JOB_BATCH = 1000;

  /** Lifetime of a job's lock; renewed every third of it while the job runs. */
  @Transform(toNumber)
  @IsInt()
  @Min(1000)
  JOB_LOCK_TTL_MS = 60_000;

  // --- daily ---
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  TRANSFER_LIMIT_PER_CLASS_GB = 10;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  RENEW_DAYS_PER_CLASS = 10;

  @Transform(toNumber)
  @IsInt()
  @Min(60)
  NODE_DEAD_AFTER_S = 7200;

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

  // --- clean ---
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  LOG_RETENTION_DAYS = 3;

  // --- step switches ---
  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_TRAFFIC_CYCLE = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_DEAD_NODES = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_TRAFFIC_GUARD = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_UNUSED_ACCOUNTS = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_OVER_ALLOWANCE = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_ACTIVITY_SCORE = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_CLAWBACK = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_STATISTICS = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_DAILY_LEVEL_EXPIRY = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_HOURLY_TRAFFIC_GUARD = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_HOURLY_UNPAID_ORDERS = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_HOURLY_RECONCILE_ORDERS = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_HOURLY_AUTO_RENEW = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CHECK_IP_RECORDS = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CHECK_LEVEL_EXPIRY = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CHECK_ACCOUNT_DELETION = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CHECK_NEGATIVE_BALANCE = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CLEAN_NODE_INFO = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CLEAN_NODE_ONLINE_LOG = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CLEAN_USER_TRAFFIC_LOG = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CLEAN_DETECT_LOG = true;

  @Transform(toBool)
  @IsBoolean()
  JOB_CLEAN_TRAFFIC_REPORT = true;
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

/** The env variable that switches a step: `JOB_DAILY_TRAFFIC_CYCLE` for daily/traffic_cycle. */
export function stepSwitchName(job: string, step: string): string {
  return `JOB_${job}_${step}`.toUpperCase();
}

const GB = 1024 ** 3;

export const schedulerConfig = registerAs('scheduler', () => {
  const env = readEnv(SchedulerEnv);
  const switches = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => k.startsWith('JOB_') && typeof v === 'boolean',
    ),
  ) as Record<string, boolean>;
  return {
    enabled: env.SCHEDULER_ENABLED,
    timeZone: env.SCHEDULER_TZ,
    cron: {
      daily: env.JOB_DAILY_CRON,
      hourly: env.JOB_HOURLY_CRON,
      check: env.JOB_CHECK_CRON,
      clean: env.JOB_CLEAN_CRON,
    },
    batch: env.JOB_BATCH,
    lockTtlMs: env.JOB_LOCK_TTL_MS,
    /** `JOB_<JOB>_<STEP>` → on/off; see {@link stepSwitchName}. */
    switches,
    transferLimitPerClassBytes: Math.round(
      env.TRANSFER_LIMIT_PER_CLASS_GB * GB,
    ),
    renewDaysPerClass: env.RENEW_DAYS_PER_CLASS,
    nodeDeadAfterS: env.NODE_DEAD_AFTER_S,
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
    logRetentionDays: env.LOG_RETENTION_DAYS,
  };
});

export type SchedulerConfig = ReturnType<typeof schedulerConfig>;
