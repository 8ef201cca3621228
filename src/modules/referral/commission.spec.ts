import { commissionCents, commissionLevels, maskEmail } from './commission.js';

describe('commission', () => {
  it.each([
    // total cents, rate, expected cents
    [10_000, 0.2, 2000],
    [1999, 0.2, 400], // 399.8 → 400
    [1, 0.2, 0], // 0.2 cent → nothing
    [3, 0.2, 1], // 0.6 cent → 1
    [1234, 0.05, 62], // 61.7 → 62
    [1230, 0.05, 62], // 61.5 → 62 (half-up)
    [1229, 0.05, 61], // 61.45 → 61
    [999_999_999, 0.1, 100_000_000], // 99,999,999.9 → exact, no float
    [500, 0, 0],
    [500, 1, 500],
  ])('%i cents at %d → %i cents', (total, rate, expected) => {
    const [level] = commissionLevels([rate]);
    expect(commissionCents(total, level)).toBe(expected);
  });

  it('numbers the levels from 1 in PAYBACK_RATES order', () => {
    expect(commissionLevels([0.2, 0.1, 0.05])).toEqual([
      { level: 1, numerator: 2, denominator: 10 },
      { level: 2, numerator: 1, denominator: 10 },
      { level: 3, numerator: 5, denominator: 100 },
    ]);
  });

  it.each([
    ['alice@example.com', 'al***@example.com'],
    ['a@b.c', 'a***@b.c'],
    ['noat', 'no***'],
    // '@' first: nothing before it to show (and not taken for a missing '@')
    ['@example.com', '***@example.com'],
  ])('masks %s as %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});
