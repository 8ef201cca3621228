import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis } from 'ioredis';
import { redisConfig } from '../../config/index.js';

/**
 * The app's own Redis connection (locks, node state, pings), separate from the cache store.
 * `client` is null in the embedded mode (no REDIS_URL): callers fall back to memory.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis | null;
  readonly keyPrefix: string;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    this.keyPrefix = config.keyPrefix;
    this.client = config.url
      ? new Redis(config.url, {
          keyPrefix: config.keyPrefix,
          // Fail fast while Redis is down so requests degrade instead of hanging.
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: false,
        })
      : null;
    this.client?.on('error', (err: Error) =>
      this.logger.warn(`Redis: ${err.message}`),
    );
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /** PONG when reachable; throws when configured and down; null in embedded mode. */
  async ping(): Promise<string | null> {
    return this.client ? this.client.ping() : null;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client || this.client.status === 'end') return;
    // QUIT needs a live connection; a client still retrying an unreachable server would
    // otherwise keep reconnecting and hold the process open.
    if (this.client.status === 'ready')
      await this.client.quit().catch(() => this.client?.disconnect());
    else this.client.disconnect();
  }
}
