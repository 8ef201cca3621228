import {
  type DataSource,
  type EntityManager,
  type EntityTarget,
  QueryFailedError,
  QueryResult,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { isMysql } from './dialect.js';

/** Quotes an identifier for the current driver (`driver.escape`). */
export type Quote = (identifier: string) => string;

/** A raw statement with positional `?` placeholders, which mysql2 and better-sqlite3 both bind. */
export interface SqlQuery {
  sql: string;
  /** Dates only as {@link persister} prepares them (the driver binds them as TypeORM would). */
  params: (string | number | Date | null)[];
}

/** mysql2's callback API, as TypeORM's MySQL driver holds it: its pool and each pooled connection. */
interface CallbackQueryable {
  query(
    sql: string,
    values: unknown[],
    done: (err: Error | null, result: unknown) => void,
  ): void;
}

/**
 * Whether a hot path's statements may go straight to mysql2, past TypeORM's query runner. Its
 * `query` (the logger, the BeforeQuery/AfterQuery broadcasts, mysql2's promise wrapper built
 * per call) costs a short statement about as much CPU as the driver itself, and Panel has no
 * entity subscribers to broadcast to. On MySQL only (better-sqlite3 is synchronous and cheap),
 * and not with DB_LOGGING on, so every statement is still logged then. The one branch for both
 * {@link poolQuery} and the statements of a transaction ({@link queryIn}, {@link runStructured}).
 */
function bypassesQueryRunner(dataSource: DataSource): boolean {
  return isMysql(dataSource) && !dataSource.options.logging;
}

/** `sql` on a mysql2 callback pool or connection, failing as TypeORM does (QueryFailedError). */
function callbackQuery<T>(
  target: CallbackQueryable,
  sql: string,
  params: unknown[],
): Promise<T> {
  return new Promise((resolve, reject) =>
    target.query(sql, params, (err, result) =>
      err
        ? reject(new QueryFailedError(sql, params, err))
        : resolve(result as T),
    ),
  );
}

/**
 * The mysql2 connection of `manager`'s transaction when its statements may bypass the query
 * runner; null to go through it. The connection is only ever used between TypeORM's START
 * TRANSACTION and COMMIT/ROLLBACK on the same runner, so statements stay in the transaction.
 */
function transactionConnection(
  manager: EntityManager,
): CallbackQueryable | null {
  if (!manager.queryRunner || !bypassesQueryRunner(manager.connection))
    return null;
  const runner = manager.queryRunner as {
    databaseConnection?: unknown;
    isReleased: boolean;
  };
  // A released runner's connection is back in the pool: TypeORM's query refuses it then.
  if (runner.isReleased) return null;
  const connection = runner.databaseConnection as CallbackQueryable | undefined;
  return typeof connection?.query === 'function' ? connection : null;
}

/**
 * Raw SQL with the affected-row count, in `manager`'s transaction. mysql2 connects with
 * FOUND_ROWS, so on both drivers the count is the number of rows the WHERE matched.
 */
export async function runStructured(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<QueryResult> {
  if (!manager.queryRunner)
    throw new Error('runStructured needs a transactional EntityManager');
  const connection = transactionConnection(manager);
  if (!connection) return manager.queryRunner.query(sql, params, true);
  const raw = await callbackQuery<unknown>(connection, sql, params);
  // As MysqlQueryRunner shapes it: the rows (a SELECT) or the result header (a write).
  const result = new QueryResult();
  result.raw = raw;
  if (Array.isArray(raw)) result.records = raw as unknown[];
  const affected = (raw as { affectedRows?: unknown } | null)?.affectedRows;
  if (typeof affected === 'number') result.affected = affected;
  return result;
}

/** The rows of a raw SELECT in `manager`'s transaction (or outside one), as `manager.query`. */
export function queryIn<T = Record<string, unknown>[]>(
  manager: EntityManager,
  query: SqlQuery,
): Promise<T> {
  const connection = transactionConnection(manager);
  return connection
    ? callbackQuery<T>(connection, query.sql, query.params)
    : manager.query<T>(query.sql, query.params);
}

/** One of mysql2's callback pool connections. */
interface CallbackConnection extends CallbackQueryable {
  release(): void;
}

/** mysql2's callback pool, as TypeORM's MysqlDriver holds it (`driver.pool`). */
interface CallbackPool extends CallbackQueryable {
  getConnection(
    done: (err: Error | null, conn: CallbackConnection) => void,
  ): void;
}

/** The driver's pool when statements may bypass TypeORM's query runner (MySQL, not logging). */
function directPool(dataSource: DataSource): CallbackPool | null {
  if (!bypassesQueryRunner(dataSource)) return null;
  return (dataSource.driver as { pool?: CallbackPool }).pool ?? null;
}

/**
 * One statement outside any transaction, for a hot request path: on MySQL straight on the
 * driver's pool (mysql2's `pool.query`: a connection taken, used and given back), elsewhere
 * (SQLite, or DB_LOGGING on, so the statement is logged) through `dataSource.query`. TypeORM's
 * query runner, created, connected, broadcast to and released on every call, costs a short
 * statement about as much CPU as the driver itself. Same rows as `dataSource.query` (the
 * driver's), same failure as QueryFailedError wrapping the driver's error.
 */
export function poolQuery<T = unknown>(
  dataSource: DataSource,
  query: SqlQuery,
): Promise<T> {
  const pool = directPool(dataSource);
  if (!pool) return dataSource.query<T>(query.sql, query.params);
  return callbackQuery<T>(pool, query.sql, query.params);
}

/** The statements of one {@link poolTransaction}, whichever way it runs. */
export interface SqlSession {
  /** The rows of a SELECT (the driver's result for other statements). */
  query<T = unknown>(query: SqlQuery): Promise<T>;
  /** The rows the statement matched (mysql2 connects with FOUND_ROWS; SQLite's changes). */
  affected(query: SqlQuery): Promise<number>;
}

/**
 * One transaction of raw statements for a hot write path, the transactional twin of
 * {@link poolQuery}: on MySQL a connection of the driver's pool, `START TRANSACTION`, the work,
 * `COMMIT` (`ROLLBACK` and the error on any failure), the statements TypeORM's
 * `dataSource.transaction` sends, without its query runner, EntityManager and event broadcasts
 * around each statement. Elsewhere (SQLite, DB_LOGGING on) it is `dataSource.transaction`.
 * Failures are QueryFailedError wrapping the driver's error, as TypeORM's, so the lock-retry and
 * unique-violation checks read them alike.
 */
export async function poolTransaction<T>(
  dataSource: DataSource,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const pool = directPool(dataSource);
  if (!pool)
    return dataSource.transaction((manager) => work(managerSession(manager)));
  const conn = await new Promise<CallbackConnection>((resolve, reject) =>
    pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
  );
  try {
    await callbackQuery(conn, 'START TRANSACTION', []);
    const session: SqlSession = {
      query: (q) => callbackQuery(conn, q.sql, q.params),
      affected: async (q) =>
        (await callbackQuery<{ affectedRows: number }>(conn, q.sql, q.params))
          .affectedRows,
    };
    const result = await work(session);
    await callbackQuery(conn, 'COMMIT', []);
    return result;
  } catch (err) {
    await callbackQuery(conn, 'ROLLBACK', []).catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** A session on a transactional EntityManager (the SQLite path of poolTransaction). */
function managerSession(manager: EntityManager): SqlSession {
  return {
    query: (q) => manager.query(q.sql, q.params),
    affected: async (q) =>
      (await runStructured(manager, q.sql, q.params)).affected ?? 0,
  };
}

/**
 * The generated id of a raw INSERT run with {@link runStructured}: mysql2 reports it as the
 * result header's `insertId`, better-sqlite3 as `lastInsertRowid` (TypeORM's `raw` either way).
 */
export function insertedId(result: QueryResult): number {
  const raw: unknown = result.raw;
  const id =
    typeof raw === 'object' && raw !== null && 'insertId' in raw
      ? raw.insertId
      : raw;
  if (typeof id !== 'number' && typeof id !== 'bigint')
    throw new Error('The INSERT reported no generated id');
  return Number(id);
}

/**
 * Turns raw rows whose columns are named as `entity`'s properties into values as TypeORM would
 * load them (the driver's date/number handling, the column transformers). The columns are
 * looked up once, on first use (the metadata exists only once the DataSource is initialised).
 */
export function hydrator<T, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  properties: readonly K[],
): (row: Record<string, unknown>) => Pick<T, K> {
  let columns: [K, ColumnMetadata][] | undefined;
  return (row) => {
    columns ??= properties.map((property) => {
      const column = dataSource
        .getMetadata(entity)
        .findColumnWithPropertyName(property);
      if (!column) throw new Error(`No column for property ${property}`);
      return [property, column];
    });
    const driver = dataSource.driver;
    const out: Partial<Record<K, unknown>> = {};
    for (const [property, column] of columns)
      out[property] = driver.prepareHydratedValue(row[property], column);
    return out as Pick<T, K>;
  };
}

/**
 * The reverse of {@link hydrator}: values of `entity`'s properties as TypeORM would bind them in
 * an INSERT or UPDATE (the column transformers, then the driver's conversion: a DATETIME is a
 * Date for mysql2, a UTC `YYYY-MM-DD HH:mm:ss.SSS` string for SQLite).
 */
export function persister<T, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  properties: readonly K[],
): (property: K, value: T[K]) => string | number | Date | null {
  let columns: Map<K, ColumnMetadata> | undefined;
  return (property, value) => {
    columns ??= new Map(
      properties.map((p) => {
        const column = dataSource
          .getMetadata(entity)
          .findColumnWithPropertyName(p);
        if (!column) throw new Error(`No column for property ${p}`);
        return [p, column];
      }),
    );
    const column = columns.get(property);
    if (!column) throw new Error(`Property ${property} was not declared`);
    return dataSource.driver.preparePersistentValue(value, column) as
      string | number | Date | null;
  };
}
