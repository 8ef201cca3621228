import { fromMinorUnits, toMinorUnits } from './minor-units.js';

describe('minor units', () => {
  it.each([
    ['12.50', 'USD', 1250],
    ['12.50', 'usd', 1250],
    ['1000.00', 'JPY', 1000],
    ['1.25', 'KWD', 1250],
  ])('%s %s → %d', (total, currency, minor) => {
    expect(toMinorUnits(total, currency)).toBe(minor);
    expect(fromMinorUnits(minor, currency)).toBe(
      Math.round(Number(total) * 100),
    );
  });

  it('refuses cents in a zero-decimal currency; odd thousandths never equal cents', () => {
    expect(() => toMinorUnits('10.50', 'JPY')).toThrow(RangeError);
    expect(fromMinorUnits(1251, 'KWD')).toBeNaN();
  });
});
