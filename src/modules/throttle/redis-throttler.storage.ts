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

/** How long requests at boot wait for the Redis client's first connection (then: degraded). */
const BOOT_WAIT_MS = 3_000;

/** Resolves when `redis` is ready (now or later), or after `maxMs`, whichever is first. */
function firstReady(redis: Redis, maxMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('end', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    timer.unref();
    redis.once('ready', done);
    redis.once('end', done);
  });
}

/**
 * Budgets counted in process memory even with Redis: `node` is a generous protective budget
 * (600/min per node by default) hit on every agent request, where a Redis round trip per request
 * costs more than exact sharing is worth. With N replicas a node gets up to N × the limit.
 */
export const PER_REPLICA_POLICIES: ReadonlySet<string> = new Set(['node']);

interface WindowRecord {
  hits: number;
  windowEnd: number;
  blockEnd: number;
}

/**
 * The Lua script's fixed window and block, in process memory: O(1) per hit (the library's
 * in-memory storage keeps one timestamp per hit and filters them on every request, which at a
 * few thousand polls a second per node costs more than the Redis round trip it replaces).
 */
export class FixedWindowMemory {
  private readonly records = new Map<string, WindowRecord>();
  private readonly sweep: NodeJS.Timeout;

  constructor(sweepMs = 60_000) {
    this.sweep = setInterval(() => this.evict(Date.now()), sweepMs);
    this.sweep.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    now = Date.now(),
  ): ThrottlerStorageRecord {
    let record = this.records.get(key);
    if (!record) {
      record = { hits: 0, windowEnd: 0, blockEnd: 0 };
      this.records.set(key, record);
    }
    if (record.blockEnd > now) {
      const hits = record.windowEnd > now ? record.hits : 0;
      return {
        totalHits: hits,
        timeToExpire: toSeconds(record.windowEnd - now),
        isBlocked: true,
        timeToBlockExpire: toSeconds(record.blockEnd - now),
      };
    }
    if (record.windowEnd <= now) {
      record.hits = 0;
      record.windowEnd = now + ttl;
    }
    record.hits += 1;
    const timeToExpire = toSeconds(record.windowEnd - now);
    if (record.hits > limit && blockDuration > 0) {
      record.blockEnd = now + blockDuration;
      return {
        totalHits: record.hits,
        timeToExpire,
        isBlocked: true,
        timeToBlockExpire: toSeconds(blockDuration),
      };
    }
    return {
      totalHits: record.hits,
      timeToExpire,
      isBlocked: false,
      timeToBlockExpire: 0,
    };
  }

  private evict(now: number): void {
    for (const [key, record] of this.records)
      if (record.windowEnd <= now && record.blockEnd <= now)
        this.records.delete(key);
  }

  close(): void {
    clearInterval(this.sweep);
    this.records.clear();
  }
}

/**
 * The `ThrottlerStorage` @nestjs/throttler asks for, on the app's Redis so every replica shares
 * the counters (`auth`, `payment`; the `node` budget is per replica, see PER_REPLICA_POLICIES). Without REDIS_URL, or while Redis is unreachable, it uses the library's own
 * in-memory storage: limits then hold per process, and login keeps working (degraded, not down).
 */
@Injectable()
export class RedisThrottlerStorage
  implements ThrottlerStorage, OnApplicationShutdown
{
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly memory = new ThrottlerStorageService();
  private readonly perReplica = new FixedWindowMemory();
  private readonly redis: ThrottleRedis | null;
  private degraded = false;
  /** Settles once the client is first ready, or BOOT_WAIT_MS after start; null afterwards. */
  private booting: Promise<void> | null;

  constructor(redisService: RedisService) {
    this.redis = redisService.client as ThrottleRedis | null;
    this.redis?.defineCommand('panelThrottle', {
      numberOfKeys: 2,
      lua: INCREMENT_LUA,
    });
    this.booting = this.redis ? firstReady(this.redis, BOOT_WAIT_MS) : null;
    void this.booting?.then(() => (this.booting = null));
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (PER_REPLICA_POLICIES.has(throttlerName))
      return this.perReplica.increment(key, ttl, limit, blockDuration);
    if (!this.redis)
      return this.memory.increment(
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    const hitsKey = `throttle:${throttlerName}:${key}`;
    // Before the client's first connection a command would fail at once (no offline queue) and
    // the hit would land in memory while later ones go to Redis: one budget in two places.
    // So a request at boot waits for the connection (bounded); afterwards, not-ready is an
    // outage, counted in memory below.
    if (this.booting) await this.booting;
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
    this.perReplica.close();
  }
}
