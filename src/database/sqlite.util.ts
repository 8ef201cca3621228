import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** better-sqlite3 creates the file but not its folder (`./data/` on a fresh clone). */
export function prepareSqliteDirectory(path: string): void {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
}
