import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The epay signature: every parameter except `sign`, `sign_type` and empty values, sorted by
 * key (ASCII), joined as `k=v&k2=v2` without URL-encoding, the key appended directly, MD5 in
 * lowercase hex.
 */
export function epaySign(params: Record<string, string>, key: string): string {
  const base = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5')
    .update(base + key, 'utf8')
    .digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function epaySignatureMatches(
  params: Record<string, string>,
  key: string,
): boolean {
  const received = (params.sign ?? '').toLowerCase();
  const expected = epaySign(params, key);
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
