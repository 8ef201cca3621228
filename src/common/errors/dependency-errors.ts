/**
 * Whether an error means a dependency (the database, Redis) is unreachable or going away, not
 * that the request or our code is wrong: the answer is then 503 with `Retry-After`, never a 500
 * (nor, from the JWT guard, a 401 that would sign clients out). Recognised by the drivers' codes
 * (mysql2, better-sqlite3, ioredis, Node's sockets), looked for in TypeORM's `driverError` and in
 * `cause` chains.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (matches(current as DriverError)) return true;
    const e = current as DriverError;
    if (Array.isArray(e.errors) && e.errors.some(isDependencyUnavailable))
      return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}

/** Seconds a client is asked to wait before retrying after a 503. */
export const RETRY_AFTER_S = 5;

interface DriverError {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  fatal?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

const UNAVAILABLE_CODES = new Set([
  // Sockets: the server is down, restarting or unreachable.
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2: a connection that died, or one queued behind a fatal error.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE',
  // MySQL / MariaDB server states: shutting down, connection killed, too many connections.
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_NORMAL_SHUTDOWN',
  'ER_SHUTDOWN_COMPLETE',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  // SQLite: the file cannot be opened or read (disk gone, permissions).
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

/** MySQL server error numbers of the same states (when the code name is missing). */
const UNAVAILABLE_ERRNOS = new Set([
  1040, 1053, 1077, 1079, 1080, 1158, 1159, 1160, 1161, 1927, 2002, 2003, 2006,
  2013,
]);

const UNAVAILABLE_MESSAGES = [
  // mysql2, on a connection closed under it and on a closed pool.
  "Can't add new command when connection is in closed state",
  'Pool is closed',
  'Connection lost',
  // ioredis, while Redis is down or reconnecting.
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
];

function matches(e: DriverError): boolean {
  if (typeof e.code === 'string') {
    if (UNAVAILABLE_CODES.has(e.code)) return true;
    if (e.code.startsWith('SQLITE_IOERR')) return true;
  }
  if (typeof e.errno === 'number' && UNAVAILABLE_ERRNOS.has(e.errno))
    return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}
