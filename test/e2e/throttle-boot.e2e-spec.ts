import { Redis } from 'ioredis';
import { RedisService } from '../../src/modules/redis/redis.service.js';
import { RedisThrottlerStorage } from '../../src/modules/throttle/redis-throttler.storage.js';
import { describeWithRedis } from '../utils/modes.js';

// #14 item 7 (found by test/e2e/proxy-trust): with Redis configured, a request that came before
// the Redis client was ready was counted in the in-memory fallback, the later ones in Redis, so
// one budget was split in two and one extra request passed. Until the client's first `ready`
// the storage now waits for it (bounded); only an outage after that counts in memory.
describeWithRedis(
  'rate limits at boot: one budget, counted in Redis only (e2e)',
  () => {
    const url = process.env.REDIS_URL as string;
    const prefix = `${process.env.REDIS_KEY_PREFIX}boot:`;
    let plain: Redis;

    beforeAll(() => {
      plain = new Redis(url, { keyPrefix: prefix });
    });
    afterAll(async () => {
      const keys = await plain.keys(`${prefix}*`);
      if (keys.length > 0)
        await plain.del(...keys.map((k) => k.slice(prefix.length)));
      await plain.quit();
    });

    it('a hit counted while the client is still connecting lands in Redis, not in memory', async () => {
      const service = new RedisService({ url, keyPrefix: prefix });
      const storage = new RedisThrottlerStorage(service);
      try {
        expect(service.client?.status).not.toBe('ready');
        const first = await storage.increment('k1', 60_000, 3, 60_000, 'auth');
        expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
        expect(await plain.get('throttle:auth:k1')).toBe('1');
        const second = await storage.increment('k1', 60_000, 3, 60_000, 'auth');
        expect(second.totalHits).toBe(2);
        expect(await plain.get('throttle:auth:k1')).toBe('2');
      } finally {
        storage.onApplicationShutdown();
        await service.onApplicationShutdown();
      }
    });
  },
);
