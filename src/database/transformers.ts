import type { ValueTransformer } from 'typeorm';

/**
 * DB → JS `number` for numeric columns a driver may hand back as strings: mysql2 returns
 * BIGINT as a string once it passes 2^53 (and legacy DECIMAL/FLOAT variants of our DOUBLE
 * columns as strings). Traffic counters stay below 2^53, so a number is exact.
 * Writes pass through untouched (numbers, or `() => 'u + :delta'` SQL functions).
 */
export const numberTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown): number | null | undefined => {
    if (value === null || value === undefined) return value;
    return typeof value === 'number' ? value : Number(value);
  },
};

/** BIGINT columns (u, d, transfer_enable, ...): see {@link numberTransformer}. */
export const bigintTransformer: ValueTransformer = numberTransformer;

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d{0,2}))?$/;

/**
 * DECIMAL(12,2) money → a string with exactly two decimals (`"12.50"`), whatever the driver
 * returns: MySQL hands back strings ("12.50"), SQLite numbers (12.5). Strings are formatted
 * without a float round trip, so the value stays exact; writes pass through (strings or numbers,
 * arithmetic belongs in SQL).
 */
export const moneyTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown): string | null | undefined => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') {
      const m = PLAIN_DECIMAL.exec(value.trim());
      if (m) {
        const sign = m[1] && /[1-9]/.test(m[2] + (m[3] ?? '')) ? '-' : '';
        return `${sign}${BigInt(m[2]).toString()}.${(m[3] ?? '').padEnd(2, '0')}`;
      }
    }
    // Numbers (SQLite) and exotic strings ("1e3", more than two decimals): a DECIMAL(12,2)
    // has at most 12 significant digits, which a double carries exactly enough for toFixed.
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n))
      throw new TypeError(`Not a money value: ${JSON.stringify(value)}`);
    const fixed = n.toFixed(2);
    return fixed === '-0.00' ? '0.00' : fixed;
  },
};
