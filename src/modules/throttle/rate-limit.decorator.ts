import { applyDecorators, UseGuards } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';

/** The rate-limit budgets, each a named throttler (limits in the `throttle` config area). */
export const RATE_LIMIT_POLICIES = [
  'auth',
  'payment',
  'node',
  'subscription',
] as const;
export type RateLimitPolicy = (typeof RATE_LIMIT_POLICIES)[number];

const PolicyOf = Reflector.createDecorator<RateLimitPolicy>();
const reflector = new Reflector();

/** The policy a handler or its controller opted into, if any. */
export function rateLimitPolicyOf(
  context: ExecutionContext,
): RateLimitPolicy | undefined {
  return reflector.getAllAndOverride(PolicyOf, [
    context.getHandler(),
    context.getClass(),
  ]);
}

/**
 * Puts a route (or every route of a controller) under one rate-limit budget: `auth` per client
 * IP, `payment` per signed-in user, `node` per node, `subscription`
 * per subscription token. Route-level, so it runs after the global
 * JWT guard and can key on the user.
 */
export const RateLimit = (
  policy: RateLimitPolicy,
): ClassDecorator & MethodDecorator =>
  applyDecorators(PolicyOf(policy), UseGuards(ThrottlerGuard));
