import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Min,
} from 'class-validator';
import {
  JOB_NAMES,
  JOB_STEPS,
} from '../modules/scheduler/scheduler.constants.js';
import { readEnv, toBool, toNumber } from './env.util.js';

/** Five-field cron (minute hour day month weekday), as @nestjs/schedule / cron accept. */
const CRON = /^\S+( \S+){4,5}$/;

/**
 * The maintenance jobs (docs/spec/scheduler.md): triggers, lock, batch size, and one switch per step of
 * the catalogue (`JOB_<JOB>_<STEP>=false` turns it off; declared below the class). The steps'
 * thresholds belong to their owners: user.config.ts, node.config.ts.
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
}

/** The env variable that switches a step: `JOB_DAILY_TRAFFIC_CYCLE` for daily/traffic_cycle. */
export function stepSwitchName(job: string, step: string): string {
  return `JOB_${job}_${step}`.toUpperCase();
}

/** One switch per step of the catalogue, in catalogue order. */
export const STEP_SWITCHES: readonly string[] = JOB_NAMES.flatMap((job) =>
  JOB_STEPS[job].map((step) => stepSwitchName(job, step)),
);

// Declared on SchedulerEnv from the catalogue (validated like any property, listed in
// .env.example): a new step gets its switch without a second list to keep in step.
for (const name of STEP_SWITCHES) {
  Transform(toBool)(SchedulerEnv.prototype, name);
  IsOptional()(SchedulerEnv.prototype, name);
  IsBoolean()(SchedulerEnv.prototype, name);
}

export const schedulerConfig = registerAs('scheduler', () => {
  const env = readEnv(SchedulerEnv);
  const values = env as unknown as Record<string, unknown>;
  // Every step is on unless its switch says false.
  const switches: Record<string, boolean> = Object.fromEntries(
    STEP_SWITCHES.map((name) => [name, values[name] !== false]),
  );
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
  };
});

export type SchedulerConfig = ReturnType<typeof schedulerConfig>;
