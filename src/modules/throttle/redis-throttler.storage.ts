import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service.js';

/**
 * One round trip, atomic: count the hit in a fixed window (INCR, PEXPIRE on the first hit) and
 * block the key for `block` ms once the count passes the limit. Returns
 * {hits, msToWindowEnd, blocked (0/1), msToBlockEnd}.
 */
const INCREMENT_LUA = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, redis.call('PTTL', KEYS[1]), 1, blockTtl}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

/** Not re-exported by the package index. */
type ThrottlerStorageRecord = Awaited<
  ReturnType<ThrottlerStorage['increment']>
>;

type IncrementReply = [number, number, 0 | 1, number];

interface ThrottleRedis extends Redis {
  panelThrottle(
    hitsKey: string,
    blockKey: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<IncrementReply>;
}

const toSeconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * The `ThrottlerStorage` @nestjs/throttler asks for, on the app's Redis so every replica shares
 * the counters. Without REDIS_URL, or while Redis is unreachable, it uses the library's own
 * in-memory storage: limits then hold per process, and login keeps working (degraded, not down).
 */
@Injectable()
export class RedisThrottlerStorage
  implements ThrottlerStorage, OnApplicationShutdown
{
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly memory = new ThrottlerStorageService();
  private readonly redis: ThrottleRedis | null;
  private degraded = false;

  constructor(redisService: RedisService) {
    this.redis = redisService.client as ThrottleRedis | null;
    this.redis?.defineCommand('panelThrottle', {
      numberOfKeys: 2,
      lua: INCREMENT_LUA,
    });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.redis)
      return this.memory.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    const hitsKey = `throttle:${throttlerName}:${key}`;
    try {
      const [hits, windowMs, blocked, blockMs] = await this.redis.panelThrottle(
        hitsKey,
        `${hitsKey}:block`,
        ttl,
        limit,
        blockDuration,
      );
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis is back: rate limits are shared again');
      }
      return {
        totalHits: hits,
        timeToExpire: toSeconds(windowMs),
        isBlocked: blocked === 1,
        timeToBlockExpire: toSeconds(blockMs),
      };
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(
          `Redis unavailable for rate limits, counting in memory: ${(err as Error).message}`,
        );
      }
      return this.memory.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    }
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }
}
