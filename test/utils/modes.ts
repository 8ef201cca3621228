/**
 * The two modes a test run can be in, decided once by the environment setup-env.ts leaves
 * (DATABASE_URL points at this worker's MariaDB/MySQL database; REDIS_URL at a real Redis).
 *
 * A test that can only prove its claim in one mode is declared with the variant below, so the
 * runner reports it as skipped in the other mode instead of passing without asserting anything
 * (style guide rule 14: no `if (…) return` inside a test). Row-lock and race claims belong to
 * `itOnMysql`: SQLite serialises every writer, so "N in parallel" there runs one at a time.
 */
import { describe, it } from '@jest/globals';

/** True when the run uses MariaDB/MySQL (row locks, real concurrent transactions). */
export const onMysql = Boolean(process.env.DATABASE_URL);
/** True when the run uses a real Redis (shared locks, counters and TTLs). */
export const withRedis = Boolean(process.env.REDIS_URL);

const pick = <T>(when: boolean, run: T, skip: T): T => (when ? run : skip);

/** Runs on MariaDB/MySQL only; reported as skipped on SQLite. */
export const itOnMysql: typeof it.skip = pick(onMysql, it, it.skip);
/** Runs on the embedded SQLite only; reported as skipped on MariaDB/MySQL. */
export const itOnSqlite: typeof it.skip = pick(!onMysql, it, it.skip);
/** Runs against a real Redis only; reported as skipped in the in-memory mode. */
export const itWithRedis: typeof it.skip = pick(withRedis, it, it.skip);
/** Runs in the in-memory (no REDIS_URL) mode only; reported as skipped against Redis. */
export const itWithoutRedis: typeof it.skip = pick(!withRedis, it, it.skip);

export const describeOnMysql: typeof describe.skip = pick(
  onMysql,
  describe,
  describe.skip,
);
export const describeOnSqlite: typeof describe.skip = pick(
  !onMysql,
  describe,
  describe.skip,
);
export const describeWithRedis: typeof describe.skip = pick(
  withRedis,
  describe,
  describe.skip,
);
export const describeWithoutRedis: typeof describe.skip = pick(
  !withRedis,
  describe,
  describe.skip,
);
