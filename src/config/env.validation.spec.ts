import { readEnv } from './env.util.js';
import { validateEnvironment } from './env.validation.js';
import { ReferralEnv } from './referral.config.js';

const strong = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a'.repeat(40),
  MU_KEY: 'node-key-0123456789abcdef',
};

describe('validateEnvironment', () => {
  it('accepts an empty environment (embedded development defaults)', () => {
    expect(() => validateEnvironment({})).not.toThrow();
  });

  it('lists every problem in one error', () => {
    let message = '';
    try {
      validateEnvironment({
        PORT: 'eighty',
        DATABASE_URL: 'postgres://x/y',
        PAYBACK_RATES: '0.2,abc',
        REDIS_URL: 'localhost',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration \(\d+ problems\)/);
    for (const name of ['PORT', 'DATABASE_URL', 'PAYBACK_RATES', 'REDIS_URL'])
      expect(message).toContain(`- ${name}:`);
  });

  it.each([
    ['weak JWT_SECRET', { JWT_SECRET: 'short-secret-1234' }, 'JWT_SECRET'],
    ['example MU_KEY', { MU_KEY: 'change-me-node-key' }, 'MU_KEY'],
    ['short MU_KEY', { MU_KEY: 'abcdefgh12' }, 'MU_KEY'],
    ['PAYMENT_DEBUG=true', { PAYMENT_DEBUG: 'true' }, 'PAYMENT_DEBUG'],
  ])('production refuses %s', (_case, override, name) => {
    expect(() => validateEnvironment({ ...strong, ...override })).toThrow(
      new RegExp(`- ${name}:`),
    );
  });

  it('production accepts strong secrets', () => {
    expect(() => validateEnvironment(strong)).not.toThrow();
  });

  it('development tolerates the example MU_KEY and debug payments', () => {
    expect(() =>
      validateEnvironment({
        MU_KEY: 'change-me-node-key',
        PAYMENT_DEBUG: 'true',
      }),
    ).not.toThrow();
  });

  it('parses lists and treats empty values as unset', () => {
    expect(
      readEnv(ReferralEnv, {
        PAYBACK_RATES: '0.2, 0.1,0.05',
        PAYBACK_MAX_TIMES: '',
      }),
    ).toMatchObject({
      PAYBACK_RATES: [0.2, 0.1, 0.05],
      PAYBACK_MAX_TIMES: 1,
    });
  });

  it.each([
    [
      'a gateway min above its max',
      { EPAY_MIN: '50', EPAY_MAX: '10' },
      'EPAY_MAX',
    ],
    [
      'a gateway min above the global max it defaults to',
      { STRIPE_MIN: '20000' },
      'STRIPE_MAX',
    ],
    [
      'a gateway max below the global min it defaults to',
      { PAYMENT_MIN: '5', PAYMENT_MANUAL_MAX: '2' },
      'PAYMENT_MANUAL_MAX',
    ],
    [
      'the global min above the global max',
      { PAYMENT_MIN: '20000' },
      'PAYMENT_MAX',
    ],
    ['a bound with three decimals', { BEPUSDT_MIN: '0.001' }, 'BEPUSDT_MIN'],
  ])('refuses %s', (_case, override, name) => {
    expect(() => validateEnvironment(override)).toThrow(
      new RegExp(`- ${name}:`),
    );
  });

  it('per-gateway bounds may lie outside the global ones (each block has its own)', () => {
    expect(() =>
      validateEnvironment({
        EPAY_MIN: '0.5',
        PAYMENT_MANUAL_MAX: '50000',
        ALIPAY_MIN: '2',
        ALIPAY_MAX: '2',
      }),
    ).not.toThrow();
  });
});
