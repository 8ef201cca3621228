import type { EntityManager, QueryResult } from 'typeorm';

/** Quotes an identifier for the current driver (`driver.escape`). */
export type Quote = (identifier: string) => string;

/** A raw statement with positional `?` placeholders, which mysql2 and better-sqlite3 both bind. */
export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

/**
 * Raw SQL with the affected-row count. mysql2 connects with FOUND_ROWS, so on both drivers the
 * count is the number of rows the WHERE matched.
 */
export function runStructured(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<QueryResult> {
  if (!manager.queryRunner)
    throw new Error('runStructured needs a transactional EntityManager');
  return manager.queryRunner.query(sql, params, true);
}
