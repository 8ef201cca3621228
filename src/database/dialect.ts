import type { DataSource } from 'typeorm';

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
