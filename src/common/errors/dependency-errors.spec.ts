import { QueryFailedError } from 'typeorm';
import { isDependencyUnavailable } from './dependency-errors.js';

const withCode = (message: string, extra: Record<string, unknown>) =>
  Object.assign(new Error(message), extra);
const query = (driverError: Error) =>
  new QueryFailedError('SELECT 1', [], driverError);

describe('isDependencyUnavailable', () => {
  it.each([
    [
      'mysql2 connect refused',
      withCode('connect ECONNREFUSED', { code: 'ECONNREFUSED', errno: -111 }),
    ],
    [
      'mysql2 connection lost, wrapped by TypeORM',
      query(
        withCode('Connection lost: The server closed the connection.', {
          code: 'PROTOCOL_CONNECTION_LOST',
          fatal: true,
        }),
      ),
    ],
    [
      'MariaDB shutting down',
      query(
        withCode('Server shutdown in progress', {
          code: 'ER_SERVER_SHUTDOWN',
          errno: 1053,
        }),
      ),
    ],
    [
      'connection killed',
      query(withCode('Connection was killed', { errno: 1927 })),
    ],
    [
      'closed connection',
      new Error("Can't add new command when connection is in closed state"),
    ],
    [
      'in a cause chain',
      new Error('lookup failed', {
        cause: withCode('x', { code: 'ETIMEDOUT' }),
      }),
    ],
    ['ioredis down', new Error('Connection is closed.')],
    [
      'ioredis retries exhausted',
      withCode('Reached the max retries per request limit (which is 1).', {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      'SQLite file unreadable',
      withCode('disk I/O error', { code: 'SQLITE_IOERR_READ' }),
    ],
  ])('%s → unavailable', (_, err) => {
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError('x is undefined')],
    [
      'a unique violation',
      query(withCode('Duplicate entry', { code: 'ER_DUP_ENTRY', errno: 1062 })),
    ],
    [
      'a deadlock',
      query(
        withCode('Deadlock found', { code: 'ER_LOCK_DEADLOCK', errno: 1213 }),
      ),
    ],
    [
      'out of range',
      query(
        withCode('BIGINT value is out of range', {
          code: 'ER_DATA_OUT_OF_RANGE',
          errno: 1690,
        }),
      ),
    ],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s → not unavailable', (_, err) => {
    expect(isDependencyUnavailable(err)).toBe(false);
  });
});
