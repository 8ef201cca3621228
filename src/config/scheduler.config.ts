import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString } from 'class-validator';
import { readEnv, toBool } from './env.util.js';

export class SchedulerEnv {
  /** Turns the cron triggers on for this replica. */
  @Transform(toBool)
  @IsBoolean()
  SCHEDULER_ENABLED = true;

  @IsString()
  SCHEDULER_TZ = 'Asia/Shanghai';
}

export const schedulerConfig = registerAs('scheduler', () => {
  const env = readEnv(SchedulerEnv);
  return { enabled: env.SCHEDULER_ENABLED, timeZone: env.SCHEDULER_TZ };
});
