import { CacheModule, CacheModuleOptions } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createKeyvNonBlocking } from '@keyv/redis';
import { redisConfig } from '../../config/index.js';
import { ExpiringStore } from './expiring-store.js';
import { MemoryExpiringStore } from './memory-expiring-store.js';
import { RedisExpiringStore } from './redis-expiring-store.js';
import { RedisService } from './redis.service.js';

/**
 * Starts the store's connection at boot. @keyv/redis otherwise connects on the first cache
 * call, and with Redis unreachable that call would wait (forever without a timeout, then the
 * timeout on every call). Once the client is opening, calls fail fast (no offline queue) and
 * turn into misses, and the client comes back by itself when Redis does.
 */
function connectInBackground(store: unknown): void {
  const client = (store as { client?: { connect?: () => Promise<unknown> } })
    .client;
  client?.connect?.().catch(() => undefined);
}

/**
 * Redis for the whole app: the cache-manager store (@keyv/redis, the maintained successor of
 * cache-manager-redis-yet), RedisService and the ExpiringStore (locks, snapshots, counters).
 * Without REDIS_URL all three live in memory.
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      isGlobal: true,
      inject: [redisConfig.KEY],
      useFactory: (
        config: ConfigType<typeof redisConfig>,
      ): CacheModuleOptions => {
        if (!config.url) return { ttl: 60_000 };
        // Non-blocking: a Redis outage turns cache reads into misses instead of errors.
        const store = createKeyvNonBlocking(config.url, {
          namespace: `${config.keyPrefix}cache`,
          connectionTimeout: 1000,
        });
        connectInBackground(store.store);
        return { ttl: 60_000, stores: [store] };
      },
    }),
  ],
  providers: [
    RedisService,
    {
      provide: ExpiringStore,
      inject: [RedisService],
      useFactory: (redis: RedisService): ExpiringStore =>
        redis.client
          ? new RedisExpiringStore(redis.client)
          : new MemoryExpiringStore(),
    },
  ],
  exports: [RedisService, ExpiringStore],
})
export class RedisModule {}
