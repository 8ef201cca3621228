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
