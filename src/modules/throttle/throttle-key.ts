import { createHash } from 'node:crypto';

/** How many keys are remembered before the memo starts over (a few per node and route). */
const MEMO_LIMIT = 10_000;
const memo = new Map<string, string>();

/**
 * The storage key of one rate-limit budget: per route (controller and handler), per named
 * throttler, per tracker (who the budget belongs to). ThrottlerGuard uses it as its
 * `generateKey` and the node fast path counts its hits under the same key, so a throttler
 * upgrade that changed the library's own key format cannot split one budget into two.
 *
 * Memoised: the same few nodes ask again every poll, and a sha256 per request was ~2% of a
 * 304's CPU. The memo is bounded (cleared when full), so trackers nobody repeats cost nothing
 * lasting.
 */
export function throttleKey(
  controller: string,
  handler: string,
  throttler: string,
  tracker: string,
): string {
  const name = `${controller}-${handler}-${throttler}-${tracker}`;
  let key = memo.get(name);
  if (key === undefined) {
    key = createHash('sha256').update(name).digest('hex');
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(name, key);
  }
  return key;
}
