import type { EntityManager } from 'typeorm';

/** A table pruned by age: an ascending integer `id` and a unix-seconds time column. */
export interface AgedTable {
  table: string;
  timeColumn: string;
}

/**
 * The one age-pruning loop of the maintenance jobs: deletes (or, in a dry run, counts) rows
 * whose time is before `beforeS`, one primary-key range of `batch` ids per statement, so the
 * table stays writable and no time index is needed. Ids grow with time: the walk stops at the
 * first non-empty range that holds nothing old. A row written late with an old time behind
 * that point waits for a later run.
 */
export async function pruneOlderThan(
  manager: EntityManager,
  target: AgedTable,
  beforeS: number,
  batch: number,
  dryRun: boolean,
): Promise<number> {
  const bounds = await idBounds(manager, target);
  if (!bounds) return 0;
  let total = 0;
  for (let lo = bounds.lo; lo <= bounds.hi; lo += batch) {
    const n = await inRange(manager, target, lo, lo + batch, beforeS, dryRun);
    total += n;
    if (n === 0) {
      const oldest = await oldestIn(manager, target, lo, lo + batch);
      if (oldest !== null && oldest >= beforeS) break;
    }
  }
  return total;
}

async function idBounds(
  manager: EntityManager,
  { table }: AgedTable,
): Promise<{ lo: number; hi: number } | null> {
  const row = await manager
    .createQueryBuilder()
    .select('MIN(id)', 'lo')
    .addSelect('MAX(id)', 'hi')
    .from(table, 't')
    .getRawOne<{ lo: number | string | null; hi: number | string | null }>();
  if (row?.lo === null || row?.lo === undefined) return null;
  return { lo: Number(row.lo), hi: Number(row.hi) };
}

/** Oldest time in an id range, null when the range is empty. */
async function oldestIn(
  manager: EntityManager,
  { table, timeColumn }: AgedTable,
  lo: number,
  hi: number,
): Promise<number | null> {
  const row = await manager
    .createQueryBuilder()
    .select(`MIN(${timeColumn})`, 'oldest')
    .from(table, 't')
    .where('id >= :lo AND id < :hi', { lo, hi })
    .getRawOne<{ oldest: number | string | null }>();
  return row?.oldest === null || row?.oldest === undefined
    ? null
    : Number(row.oldest);
}

async function inRange(
  manager: EntityManager,
  { table, timeColumn }: AgedTable,
  lo: number,
  hi: number,
  beforeS: number,
  dryRun: boolean,
): Promise<number> {
  const where = `id >= :lo AND id < :hi AND ${timeColumn} < :before`;
  const params = { lo, hi, before: beforeS };
  if (dryRun) {
    const row = await manager
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(table, 't')
      .where(where, params)
      .getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(table)
    .where(where, params)
    .execute();
  return result.affected ?? 0;
}
