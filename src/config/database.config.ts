import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import type { DatabaseSettings } from '../database/typeorm.options.js';
import { readEnv, toBool, toNumber } from './env.util.js';

export class DatabaseEnv {
  /** `mysql://user:pass@host:3306/db`; unset = embedded SQLite. */
  @IsOptional()
  @Matches(/^mysql:\/\/[^/]+\/[A-Za-z0-9_$-]+(\?.*)?$/, {
    message: 'must look like mysql://user:pass@host:3306/database',
  })
  DATABASE_URL?: string;

  @IsString()
  SQLITE_PATH = './data/panel.sqlite';

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(500)
  DB_POOL_SIZE = 10;

  /** MySQL session time zone for DATETIME columns (`Z` = UTC, or `+08:00`). */
  @Matches(/^(Z|local|[+-]\d{2}:\d{2})$/)
  DB_TIMEZONE = 'Z';

  @Transform(toBool)
  @IsBoolean()
  DB_LOGGING = false;
}

export function loadDatabaseSettings(
  env: Record<string, unknown> = process.env,
): DatabaseSettings {
  const e = readEnv(DatabaseEnv, env);
  return {
    url: e.DATABASE_URL,
    sqlitePath: e.SQLITE_PATH,
    poolSize: e.DB_POOL_SIZE,
    timezone: e.DB_TIMEZONE,
    logging: e.DB_LOGGING,
  };
}

export const databaseConfig = registerAs('database', () =>
  loadDatabaseSettings(),
);
