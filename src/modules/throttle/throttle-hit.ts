import type { INestApplication } from '@nestjs/common';
import {
  getOptionsToken,
  getStorageToken,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { RateLimitPolicy } from './rate-limit.decorator.js';

/** One named throttler's settings, resolved once from the app (numbers only). */
export interface PolicyThrottle {
  storage: ThrottlerStorage;
  name: RateLimitPolicy;
  ttl: number;
  limit: number;
  blockDuration: number;
  /** The policy's tracker (throttle-trackers.ts): it reads the request only. */
  getTracker: (req: Request) => string;
}

/**
 * The settings ThrottlerGuard applies for `policy`, for a fast path counting its hits outside
 * the guard; null when the app has no such throttler or it is not plain numbers (then a fast
 * path must not answer: the guard alone knows how to count).
 */
export function policyThrottle(
  app: INestApplication,
  policy: RateLimitPolicy,
): PolicyThrottle | null {
  let options: ThrottlerModuleOptions;
  let storage: ThrottlerStorage;
  try {
    options = app.get<ThrottlerModuleOptions>(getOptionsToken());
    storage = app.get<ThrottlerStorage>(getStorageToken());
  } catch {
    return null;
  }
  const throttlers = Array.isArray(options) ? options : options.throttlers;
  const found = throttlers.find((t: ThrottlerOptions) => t.name === policy);
  if (
    !found ||
    typeof found.ttl !== 'number' ||
    typeof found.limit !== 'number' ||
    (found.blockDuration !== undefined &&
      typeof found.blockDuration !== 'number') ||
    typeof found.getTracker !== 'function'
  )
    return null;
  return {
    storage,
    name: policy,
    ttl: found.ttl,
    limit: found.limit,
    blockDuration: (found.blockDuration as number | undefined) ?? found.ttl,
    getTracker: found.getTracker as unknown as (req: Request) => string,
  };
}

/**
 * One hit against the budget under `key` (the key ThrottlerGuard uses for the same request),
 * with the guard's three headers. False when the budget is blocked: the request must then go
 * to the route, whose guard answers the 429 (a blocked budget is not incremented again).
 */
export async function countPolicyHit(
  throttle: PolicyThrottle,
  key: string,
  res: Response,
): Promise<boolean> {
  const hit = await throttle.storage.increment(
    key,
    throttle.ttl,
    throttle.limit,
    throttle.blockDuration,
    throttle.name,
  );
  if (hit.isBlocked) return false;
  const suffix = `-${throttle.name}`;
  res.setHeader(`X-RateLimit-Limit${suffix}`, throttle.limit);
  res.setHeader(
    `X-RateLimit-Remaining${suffix}`,
    Math.max(0, throttle.limit - hit.totalHits),
  );
  res.setHeader(`X-RateLimit-Reset${suffix}`, hit.timeToExpire);
  return true;
}

/** Before handing a request to the route: its guard sets these headers itself. */
export function clearRateLimitHeaders(res: Response): void {
  for (const name of res.getHeaderNames())
    if (name.startsWith('x-ratelimit-')) res.removeHeader(name);
}
