import { applyDecorators, UseGuards } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';

/** The rate-limit budgets, each a named throttler (limits in the `throttle` config area). */
export const RATE_LIMIT_POLICIES = [
  'auth',
  'registration-email',
  'payment',
  'node',
  'subscription',
] as const;
export type RateLimitPolicy = (typeof RATE_LIMIT_POLICIES)[number];

const PoliciesOf = Reflector.createDecorator<readonly RateLimitPolicy[]>();
const reflector = new Reflector();

/** The policies a handler or its controller opted into (the handler's win), if any. */
export function rateLimitPoliciesOf(
  context: ExecutionContext,
): readonly RateLimitPolicy[] {
  return (
    reflector.getAllAndOverride(PoliciesOf, [
      context.getHandler(),
      context.getClass(),
    ]) ?? []
  );
}

/**
 * Puts a route (or every route of a controller) under rate-limit budgets, each counted on its
 * own (a request past any of them is 429): `auth` per client IP, `registration-email` per
 * normalised email in the body, `payment` per signed-in user, `node` per node, `subscription`
 * per subscription token. Route-level, so it runs after the global JWT guard and can key on
 * the user.
 */
export const RateLimit = (
  ...policies: [RateLimitPolicy, ...RateLimitPolicy[]]
): ClassDecorator & MethodDecorator =>
  applyDecorators(PoliciesOf(policies), UseGuards(ThrottlerGuard));
