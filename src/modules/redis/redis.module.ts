import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createKeyvNonBlocking } from '@keyv/redis';
import { redisConfig } from '../../config/index.js';
import { RedisService } from './redis.service.js';

/**
 * Redis for the whole app: the cache-manager store (@keyv/redis, the maintained successor of
 * cache-manager-redis-yet) and RedisService. Without REDIS_URL both live in memory.
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      isGlobal: true,
      inject: [redisConfig.KEY],
      useFactory: (config: ConfigType<typeof redisConfig>) => ({
        ttl: 60_000,
        // Non-blocking: a Redis outage turns cache reads into misses instead of errors.
        ...(config.url && {
          stores: [
            createKeyvNonBlocking(config.url, {
              namespace: `${config.keyPrefix}cache`,
            }),
          ],
        }),
      }),
    }),
  ],
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
