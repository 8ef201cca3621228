import { AppEnv } from './app.config.js';
import {
  AuthEnv,
  authRangeProblems,
  DEV_JWT_SECRET,
  EXAMPLE_MU_KEY,
} from './auth.config.js';
import { DatabaseEnv } from './database.config.js';
import { withEmbeddedSecrets } from './embedded-secrets.js';
import { checkEnv, EnvClass, readEnv } from './env.util.js';
import { NodeEnv } from './node.config.js';
import { PaymentEnv, paymentRangeProblems } from './payment.config.js';
import { RedisEnv } from './redis.config.js';
import { ReferralEnv } from './referral.config.js';
import { SchedulerEnv } from './scheduler.config.js';
import { SubscriptionEnv } from './subscription.config.js';
import { ThrottleEnv } from './throttle.config.js';
import { UserEnv } from './user.config.js';

/** Every validated env class; a new config area adds its class here. */
export const ENV_CLASSES: EnvClass[] = [
  AppEnv,
  DatabaseEnv,
  RedisEnv,
  AuthEnv,
  NodeEnv,
  PaymentEnv,
  ReferralEnv,
  SchedulerEnv,
  SubscriptionEnv,
  ThrottleEnv,
  UserEnv,
];

/** Rules that only bite in production: weak or example secrets, debug payment. */
function productionProblems(env: Record<string, unknown>): string[] {
  const app = readEnv(AppEnv, env);
  if (app.NODE_ENV !== 'production') return [];
  const auth = readEnv(AuthEnv, env);
  const payment = readEnv(PaymentEnv, env);
  const problems: string[] = [];
  if (auth.JWT_SECRET.length < 32 || auth.JWT_SECRET === DEV_JWT_SECRET) {
    problems.push(
      'JWT_SECRET: must be a secret of at least 32 characters in production',
    );
  }
  if (auth.MU_KEY.length < 16 || auth.MU_KEY === EXAMPLE_MU_KEY) {
    problems.push(
      'MU_KEY: must be at least 16 characters and not the example value in production',
    );
  }
  if (payment.PAYMENT_DEBUG === true) {
    problems.push('PAYMENT_DEBUG: must be false in production');
  }
  return problems;
}

/**
 * ConfigModule `validate` hook: fills in the embedded mode's generated secrets, then checks every
 * area at once and throws ONE error listing every
 * problem, so an operator fixes the whole environment in one go.
 */
export function validateEnvironment(
  input: Record<string, unknown>,
): Record<string, unknown> {
  const env = withEmbeddedSecrets(input);
  const problems = ENV_CLASSES.flatMap((cls) => checkEnv(cls, env));
  problems.push(...authRangeProblems(readEnv(AuthEnv, env)));
  problems.push(...paymentRangeProblems(readEnv(PaymentEnv, env)));
  problems.push(...productionProblems(env));
  if (problems.length > 0) {
    throw new Error(
      `Invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  return env;
}
