import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A value as BEPUSDT's Go server writes it into the string to sign (`fmt.Sprintf("%v")` of
 * the JSON-decoded value): strings as they are, numbers in Go's shortest `%g` form (42,
 * 28.88, 1e-05, 1e+21), booleans as true/false. A string-valued field (a GET query, a form)
 * signs the same as its number when the sender wrote it the same way.
 */
export function goValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return goFloatText(value);
  return JSON.stringify(value) ?? '';
}

function goFloatText(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // toExponential() gives the shortest round-trip digits, like Go's 'g' with precision -1.
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 21) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/**
 * The BEPUSDT/epusdt signature: every parameter but `signature` whose value is not empty
 * (nor null), sorted by key (ASCII), `k=v` joined with `&`, the API token appended, MD5 in
 * lower-case hex.
 */
export function bepusdtSign(
  params: Record<string, unknown>,
  token: string,
): string {
  const base = Object.keys(params)
    .filter(
      (k) =>
        k !== 'signature' &&
        params[k] !== '' &&
        params[k] !== null &&
        params[k] !== undefined,
    )
    .sort()
    .map((k) => `${k}=${goValueText(params[k])}`)
    .join('&');
  return createHash('md5')
    .update(base + token, 'utf8')
    .digest('hex');
}

/** Constant-time check of a received `signature`. */
export function bepusdtSignatureMatches(
  params: Record<string, unknown>,
  token: string,
): boolean {
  const received = typeof params.signature === 'string' ? params.signature : '';
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(bepusdtSign(params, token), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
