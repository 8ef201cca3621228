import { createHash } from 'node:crypto';

/**
 * The storage key of one rate-limit budget: per route (controller and handler), per named
 * throttler, per tracker (who the budget belongs to). ThrottlerGuard uses it as its
 * `generateKey` and the node fast path counts its hits under the same key, so a throttler
 * upgrade that changed the library's own key format cannot split one budget into two.
 */
export function throttleKey(
  controller: string,
  handler: string,
  throttler: string,
  tracker: string,
): string {
  return createHash('sha256')
    .update(`${controller}-${handler}-${throttler}-${tracker}`)
    .digest('hex');
}
