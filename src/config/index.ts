import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { databaseConfig } from './database.config.js';
import { nodeConfig } from './node.config.js';
import { paymentConfig } from './payment.config.js';
import { redisConfig } from './redis.config.js';
import { referralConfig } from './referral.config.js';
import { schedulerConfig } from './scheduler.config.js';
import { subscriptionConfig } from './subscription.config.js';
import { throttleConfig } from './throttle.config.js';
import { userConfig } from './user.config.js';

export {
  appConfig,
  authConfig,
  databaseConfig,
  nodeConfig,
  paymentConfig,
  redisConfig,
  referralConfig,
  schedulerConfig,
  subscriptionConfig,
  throttleConfig,
  userConfig,
};

/** The registerAs factories ConfigModule loads. */
export const CONFIG_FACTORIES = [
  appConfig,
  databaseConfig,
  redisConfig,
  authConfig,
  nodeConfig,
  paymentConfig,
  referralConfig,
  schedulerConfig,
  subscriptionConfig,
  throttleConfig,
  userConfig,
];
