import { readEnv } from '../../config/env.util.js';
import { AppEnv } from '../../config/app.config.js';
import { PaymentEnv } from '../../config/payment.config.js';

/**
 * Whether `POST /payment/debug/confirm` exists at all: only with `PAYMENT_DEBUG=true` and
 * never in production (config validation refuses that pair too; this is the second lock).
 */
export function isPaymentDebugRouteEnabled(
  env?: Record<string, unknown>,
): boolean {
  const payment = readEnv(PaymentEnv, env);
  const app = readEnv(AppEnv, env);
  return payment.PAYMENT_DEBUG === true && app.NODE_ENV !== 'production';
}
