import { QueryFailedError } from 'typeorm';

/** A UNIQUE/PRIMARY KEY violation on MySQL/MariaDB or SQLite. */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = err.driverError as
    { code?: string; errno?: number } | undefined;
  return (
    driver?.code === 'ER_DUP_ENTRY' ||
    driver?.errno === 1062 ||
    driver?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driver?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A transaction that lost a lock race and may simply be run again (MySQL deadlock/lock wait). */
export function isTransientLockError(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driver = err.driverError as
    { code?: string; errno?: number } | undefined;
  return (
    driver?.errno === 1213 ||
    driver?.errno === 1205 ||
    driver?.code === 'ER_LOCK_DEADLOCK' ||
    driver?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    driver?.code === 'SQLITE_BUSY'
  );
}

/** Network and server-state errors of mysql2 / better-sqlite3 that mean "the database is away". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

/** TypeORM's own "no connection" errors, by name (not all are exported). */
const NOT_CONNECTED_ERRORS = new Set([
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
  'DriverNotInitialized',
]);

/**
 * The database cannot answer right now (down, unreachable, pool closed, too many connections),
 * as opposed to a bad query: callers answer 503 so clients retry, never 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (NOT_CONNECTED_ERRORS.has(err.name)) return true;
  const own = err as Error & { code?: string };
  const driver =
    err instanceof QueryFailedError
      ? (err.driverError as { code?: string; message?: string } | undefined)
      : undefined;
  const code = driver?.code ?? own.code;
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  const message = driver?.message ?? err.message;
  return /Pool is closed|database connection is not open|Connection lost|Connection is not established/i.test(
    message,
  );
}
