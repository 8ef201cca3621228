import { isPaymentDebugRouteEnabled } from './payment-debug.js';

describe('isPaymentDebugRouteEnabled', () => {
  it.each([
    [{ PAYMENT_DEBUG: 'true', NODE_ENV: 'development' }, true],
    [{ PAYMENT_DEBUG: 'true', NODE_ENV: 'test' }, true],
    [{ PAYMENT_DEBUG: '1' }, true],
    [{ PAYMENT_DEBUG: 'true', NODE_ENV: 'production' }, false],
    [{ PAYMENT_DEBUG: 'false', NODE_ENV: 'development' }, false],
    [{ PAYMENT_DEBUG: '', NODE_ENV: 'development' }, false],
    [{ NODE_ENV: 'development' }, false],
    [{ PAYMENT_DEBUG: 'yes-please' }, false],
  ])('%j → %s', (env, expected) => {
    expect(isPaymentDebugRouteEnabled(env)).toBe(expected);
  });
});
