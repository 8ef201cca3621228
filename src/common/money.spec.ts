import {
  formatCents,
  mulDivRoundHalfUp,
  rateToFraction,
  toCents,
} from './money.js';

describe('money', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12', 1200],
    ['0.01', 1],
    ['-3.07', -307],
    ['9999999999.99', 999999999999],
    [12.5, 1250],
    [0.1 + 0.2, 30],
  ])('toCents(%p) = %p', (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });

  it.each(['abc', '', '1.2.3', '--1'])('toCents rejects %p', (input) => {
    expect(() => toCents(input)).toThrow(TypeError);
  });

  it.each([
    [1250, '12.50'],
    [5, '0.05'],
    [-5, '-0.05'],
    [0, '0.00'],
    [100000, '1000.00'],
  ])('formatCents(%p) = %p', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it.each([
    // 20 % of 12.34 = 2.468 → 2.47 (half-up)
    [1234, 20, 100, 247],
    // 85 % of 9.99 = 8.4915 → 8.49
    [999, 85, 100, 849],
    // 5 % of 0.10 = 0.005 → 0.01 (half-up, not banker's)
    [10, 5, 100, 1],
    [-1234, 20, 100, -247],
  ])('mulDivRoundHalfUp(%p × %p / %p) = %p', (cents, n, d, out) => {
    expect(mulDivRoundHalfUp(cents, n, d)).toBe(out);
  });

  it('turns decimal rates into exact fractions', () => {
    expect(rateToFraction(0.2)).toEqual({ numerator: 2, denominator: 10 });
    expect(rateToFraction('0.05')).toEqual({ numerator: 5, denominator: 100 });
    expect(rateToFraction(1)).toEqual({ numerator: 1, denominator: 1 });
  });
});
