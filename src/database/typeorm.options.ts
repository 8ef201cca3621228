import { DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from './entities/index.js';
import { ALL_MIGRATIONS } from './migrations/index.js';
import type { DatabaseKind } from './dialect.js';

export type { DatabaseKind } from './dialect.js';

/** Where the database lives and how to reach it; built from the validated config. */
export interface DatabaseSettings {
  /** `mysql://user:pass@host:3306/db`; undefined selects the embedded SQLite file. */
  url?: string;
  sqlitePath: string;
  poolSize: number;
  /** Session time zone for DATETIME columns on MySQL (`Z` = UTC). */
  timezone: string;
  logging: boolean;
}

/** The family the settings select (before any connection exists); see dialect.ts. */
export function databaseKind(
  settings: Pick<DatabaseSettings, 'url'>,
): DatabaseKind {
  return settings.url ? 'mysql' : 'sqlite';
}

/**
 * The ONE TypeORM options builder: the app, `ormconfig.ts`, the CLI scripts and the tests all
 * call it, so every path sees the same entities, migrations and driver settings.
 */
export function buildDataSourceOptions(
  settings: DatabaseSettings,
): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'panel_migrations',
    synchronize: false,
    logging: settings.logging,
  } as const;
  if (databaseKind(settings) === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: settings.sqlitePath,
      // WAL lets readers (node polls) run while a writer holds the lock.
      enableWAL: true,
      timeout: 10_000,
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: settings.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: settings.timezone,
    poolSize: settings.poolSize,
    // BIGINT traffic counters fit in 2^53; DECIMAL money stays a string (exact).
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { decimalNumbers: false },
    // mysql2's "long stack traces" capture a stack (Error.captureStackTrace) on every query
    // before it is sent, to graft onto an error that may come back: ~5% of the CPU of a traffic
    // report (--cpu-prof, bench:node). The async frames beyond TypeORM's query runner are lost
    // either way; errors keep their code, errno, message and SQL, which is what the error
    // mapping (db-errors.ts) and the logs use.
    trace: false,
  };
}
