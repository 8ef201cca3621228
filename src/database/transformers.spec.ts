import { bigintTransformer, moneyTransformer } from './transformers.js';

describe('moneyTransformer.from', () => {
  it.each([
    ['12.50', '12.50'], // MySQL DECIMAL strings pass through
    ['12.5', '12.50'],
    ['100', '100.00'],
    ['-3.1', '-3.10'],
    ['-0.00', '0.00'],
    ['-0', '0.00'],
    ['0007.05', '7.05'],
    ['9999999999.99', '9999999999.99'],
    [12.5, '12.50'], // SQLite hands back numbers
    [0, '0.00'],
    [-2, '-2.00'],
    [9999999999.99, '9999999999.99'],
    [0.1 + 0.2, '0.30'],
  ])('%p → %p', (raw, expected) => {
    expect(moneyTransformer.from(raw)).toBe(expected);
  });

  it('keeps NULL', () => {
    expect(moneyTransformer.from(null)).toBeNull();
  });

  it('passes writes through', () => {
    expect(moneyTransformer.to('12.50')).toBe('12.50');
  });

  it('refuses non-numbers', () => {
    expect(() => moneyTransformer.from('abc')).toThrow(TypeError);
  });
});

describe('bigintTransformer.from', () => {
  it.each([
    ['5000000000000', 5000000000000], // mysql2 strings
    [42, 42],
    [String(2 ** 53 - 1), 2 ** 53 - 1],
  ])('%p → %p', (raw, expected) => {
    expect(bigintTransformer.from(raw)).toBe(expected);
  });

  it('keeps NULL', () => {
    expect(bigintTransformer.from(null)).toBeNull();
  });
});
