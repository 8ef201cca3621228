/**
 * The one keyset batch loop: fetches `size` rows after the last key seen, hands each batch to
 * `handle`, and stops at an empty or short batch. Keys ascend (`WHERE id > :after ORDER BY id
 * LIMIT :size`), so rows `handle` changes or deletes never shift the next page.
 */
export async function forEachKeysetBatch<T>(
  opts: { size: number; keyOf: (row: T) => number },
  fetch: (afterKey: number, limit: number) => Promise<T[]>,
  handle: (batch: T[]) => Promise<void>,
): Promise<void> {
  for (let after = 0; ;) {
    const batch = await fetch(after, opts.size);
    if (batch.length === 0) return;
    after = opts.keyOf(batch[batch.length - 1]);
    await handle(batch);
    if (batch.length < opts.size) return;
  }
}

/** The key of a row that has an `id`. */
export const byId = (row: { id: number }): number => row.id;
