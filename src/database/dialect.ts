import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** The two database families Panel runs on: MySQL/MariaDB in production, embedded SQLite. */
export type DatabaseKind = 'mysql' | 'sqlite';

/** The family of a TypeORM driver type (`mysql` and `mariadb` are one family). */
export function kindOfDriver(type: string): DatabaseKind {
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(`Unsupported database type for Panel: ${type}`);
}

/**
 * "Is this MySQL?", asked one way everywhere: row locks (`FOR UPDATE`), pool metrics and
 * dialect-specific SQL follow it. MariaDB counts as MySQL.
 */
export function isMysql(dataSource: Pick<DataSource, 'options'>): boolean {
  return kindOfDriver(dataSource.options.type) === 'mysql';
}

/**
 * `SELECT … FOR UPDATE` on MySQL/MariaDB; unchanged on the embedded SQLite, which has no row
 * locks and runs one transaction at a time (sqlite-serializer.ts), so the lock is implied there.
 * The one way a repository locks rows for the rest of its transaction.
 */
export function forUpdate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
): SelectQueryBuilder<T> {
  return isMysql(qb.connection) ? qb.setLock('pessimistic_write') : qb;
}

/**
 * forUpdate() for a raw SELECT (a builder of a hot path's `*-sql.ts` appends it): ` FOR UPDATE`
 * on MySQL/MariaDB, nothing on SQLite, by the same rule.
 */
export function forUpdateClause(
  dataSource: Pick<DataSource, 'options'>,
): string {
  return isMysql(dataSource) ? ' FOR UPDATE' : '';
}
