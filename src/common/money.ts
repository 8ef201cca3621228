/**
 * Money is DECIMAL(12,2) in the database and integer cents in JS: never float arithmetic.
 * Strings are parsed digit by digit; numbers (SQLite hands some back) are rounded to cents.
 */
const DECIMAL = /^\s*([+-]?)(\d+)(?:\.(\d{0,2})\d*)?\s*$/;

export function toCents(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`Not a money value: ${value}`);
    return Math.round(value * 100);
  }
  const m = DECIMAL.exec(value);
  if (!m) throw new TypeError(`Not a money value: ${value}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** 1250 → "12.50"; -5 → "-0.05". */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents))
    throw new TypeError(`Not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** For API responses: a number with 2 decimals (exact for any DECIMAL(12,2)). */
export function centsToNumber(cents: number): number {
  return Number(formatCents(cents));
}

/** `cents × numerator / denominator`, rounded half-up to a cent (integer math only). */
export function mulDivRoundHalfUp(
  cents: number,
  numerator: number,
  denominator: number,
): number {
  if (
    !Number.isInteger(numerator) ||
    !Number.isInteger(denominator) ||
    denominator <= 0
  ) {
    throw new TypeError(
      'mulDivRoundHalfUp needs integer numerator and positive integer denominator',
    );
  }
  const product = BigInt(cents) * BigInt(numerator);
  const d = BigInt(denominator);
  const sign = product < 0n ? -1n : 1n;
  const abs = product < 0n ? -product : product;
  return Number(sign * ((abs * 2n + d) / (2n * d)));
}

/** A decimal rate like 0.2 or "0.05" as an exact fraction over 10^k. */
export function rateToFraction(rate: number | string): {
  numerator: number;
  denominator: number;
} {
  const text = typeof rate === 'number' ? String(rate) : rate.trim();
  const m = /^(\d+)(?:\.(\d{1,8}))?$/.exec(text);
  if (!m) throw new TypeError(`Not a rate: ${text}`);
  const decimals = m[2] ?? '';
  const denominator = 10 ** decimals.length;
  return {
    numerator: Number(m[1]) * denominator + Number(decimals || '0'),
    denominator,
  };
}

/**
 * Whether a JSON number is a money amount with at most two decimals, decided on the number
 * itself: class-validator's `maxDecimalPlaces` splits `String(value)` on ".", which throws (a
 * 500) for exponent forms such as 1e-7. Bounded to what DECIMAL(12,2) can hold.
 */
export function isMoneyNumber(value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (Math.abs(value) >= 1e10) return false;
  const cents = Math.round(value * 100);
  // 0.1 * 100 is 10.000000000000002: compare within a float's error, not exactly.
  return Math.abs(value * 100 - cents) < 1e-6;
}
