import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ThrottlerOptions } from '@nestjs/throttler';
import { throttleConfig } from '../../config/index.js';
import {
  RATE_LIMIT_POLICIES,
  RateLimitPolicy,
  rateLimitPoliciesOf,
} from './rate-limit.decorator.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { throttleKey } from './throttle-key.js';
import {
  ACROSS_ROUTES,
  acrossRoutesKey,
  APPLIES,
  type TrackedRequest,
  TRACKERS,
} from './throttle-trackers.js';

/** Storage for the library's ThrottlerModule (global), kept in its own module so it can inject Redis. */
@Module({
  providers: [RedisThrottlerStorage],
  exports: [RedisThrottlerStorage],
})
class ThrottleStorageModule {}

/**
 * @nestjs/throttler with one named throttler per policy. Only routes marked `@RateLimit(...)`
 * are limited, and only by the policies they name.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottleStorageModule],
      inject: [throttleConfig.KEY, RedisThrottlerStorage],
      useFactory: (
        config: ConfigType<typeof throttleConfig>,
        storage: RedisThrottlerStorage,
      ) => {
        const limits: Record<RateLimitPolicy, number> = {
          auth: config.authLimit,
          'registration-email': config.registrationEmailLimit,
          payment: config.paymentLimit,
          node: config.nodeLimit,
          subscription: config.subscriptionLimit,
        };
        const throttlers: ThrottlerOptions[] = RATE_LIMIT_POLICIES.map(
          (policy) => ({
            name: policy,
            ttl: config.windowMs,
            limit: limits[policy],
            skipIf: (context) =>
              !rateLimitPoliciesOf(context).includes(policy) ||
              !(
                APPLIES[policy]?.(
                  context.switchToHttp().getRequest<TrackedRequest>(),
                ) ?? true
              ),
            getTracker: (req: TrackedRequest) => TRACKERS[policy](req),
            ...(ACROSS_ROUTES.has(policy) && {
              generateKey: (_context, tracker, name) =>
                acrossRoutesKey(tracker, name),
            }),
          }),
        );
        return {
          throttlers,
          storage,
          errorMessage: 'Too many requests',
          // Ours, not the library's default: the node fast path counts under the same key.
          generateKey: (context, tracker, name) =>
            throttleKey(
              context.getClass().name,
              context.getHandler().name,
              name,
              tracker,
            ),
        };
      },
    }),
  ],
})
export class ThrottleModule {}
