import { type ExecutionContext, Module } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ThrottlerOptions } from '@nestjs/throttler';
import { throttleConfig } from '../../config/index.js';
import {
  RATE_LIMIT_POLICIES,
  RateLimitPolicy,
  rateLimitPolicyOf,
} from './rate-limit.decorator.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { throttleKey } from './throttle-key.js';

interface TrackedRequest {
  ip?: string;
  user?: { id?: number };
  query?: Record<string, unknown>;
  params?: Record<string, unknown>;
}

/** Who a budget belongs to: the client address, the user, the node (id + address), the token. */
const TRACKERS: Record<RateLimitPolicy, (req: TrackedRequest) => string> = {
  auth: (req) => `ip:${req.ip ?? ''}`,
  payment: (req) =>
    req.user?.id !== undefined ? `user:${req.user.id}` : `ip:${req.ip ?? ''}`,
  node: (req) => `node:${nodeIdOf(req)}@${req.ip ?? ''}`,
  // The token, not the IP: a leaked URL fetched from many addresses shares one budget.
  subscription: (req) => `token:${tokenOf(req)}`,
};

function nodeIdOf(req: TrackedRequest): string {
  const id = req.query?.node_id ?? req.params?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function tokenOf(req: TrackedRequest): string {
  const token = req.params?.token;
  return typeof token === 'string' ? token : '';
}

/**
 * Budgets shared by every route of the policy (the library keys per handler by default): one
 * token's fetches count together whichever format or route asks.
 */
const ACROSS_ROUTES: ReadonlySet<RateLimitPolicy> = new Set(['subscription']);

/** The policy and a digest of the tracker (a subscription token is a secret: not a Redis key). */
function keyAcrossRoutes(
  _context: ExecutionContext,
  tracker: string,
  name: string,
): string {
  return `${name}:${createHash('sha256').update(tracker).digest('base64url').slice(0, 32)}`;
}

/** Storage for the library's ThrottlerModule (global), kept in its own module so it can inject Redis. */
@Module({
  providers: [RedisThrottlerStorage],
  exports: [RedisThrottlerStorage],
})
class ThrottleStorageModule {}

/**
 * @nestjs/throttler with one named throttler per policy. Only routes marked `@RateLimit(policy)`
 * are limited, and only by their own policy.
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
          payment: config.paymentLimit,
          node: config.nodeLimit,
          subscription: config.subscriptionLimit,
        };
        const throttlers: ThrottlerOptions[] = RATE_LIMIT_POLICIES.map(
          (policy) => ({
            name: policy,
            ttl: config.windowMs,
            limit: limits[policy],
            skipIf: (context) => rateLimitPolicyOf(context) !== policy,
            getTracker: (req: TrackedRequest) => TRACKERS[policy](req),
            ...(ACROSS_ROUTES.has(policy) && { generateKey: keyAcrossRoutes }),
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
