import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { schedulerConfig } from '../../config/index.js';
import { ExpiringStore } from '../redis/expiring-store.js';

/** How long to wait for a Redis connection still being established at boot. */
const READY_TIMEOUT_MS = 5000;

export interface JobLock {
  readonly key: string;
  readonly token: string;
  /** True once a renewal found the lock gone (expired and taken by someone else). */
  readonly lost: boolean;
  /** Releases the lock, or keeps it `holdMs` more (still only if this token owns it). */
  release(holdMs?: number): Promise<void>;
}

/**
 * The jobs' mutual exclusion across replicas: `setIfAbsent` on the ExpiringStore (Redis
 * `SET key token NX PX ttl`), renewed every third of the TTL while the job runs, released by
 * compare-and-delete, so a replica never frees a lock it no longer owns. Without REDIS_URL (the
 * embedded single process) the same semantics in memory.
 */
@Injectable()
export class JobLockService {
  private readonly logger = new Logger(JobLockService.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly config: ConfigType<typeof schedulerConfig>,
    private readonly store: ExpiringStore,
  ) {}

  /** The lock of `name`, or null when another holder has it. Throws when Redis is unreachable. */
  async acquire(name: string): Promise<JobLock | null> {
    const key = `job:lock:${name}`;
    const token = randomUUID();
    const ttl = this.config.lockTtlMs;
    const store = this.store;
    await store.whenReady(READY_TIMEOUT_MS);
    if (!(await store.setIfAbsent(key, token, ttl))) return null;

    let lost = false;
    const timer = setInterval(
      () => {
        store
          .expireIfEquals(key, token, ttl)
          .then((renewed) => {
            if (!renewed && !lost) {
              lost = true;
              this.logger.error(`Lock ${key} was lost while the job ran`);
            }
          })
          .catch((err: Error) =>
            this.logger.warn(`Lock ${key} renewal failed: ${err.message}`),
          );
      },
      Math.floor(ttl / 3),
    );
    timer.unref();

    return {
      key,
      token,
      get lost() {
        return lost;
      },
      release: async (holdMs = 0) => {
        clearInterval(timer);
        const hold = Math.max(0, Math.round(holdMs));
        await (hold > 0
          ? store.expireIfEquals(key, token, hold)
          : store.deleteIfEquals(key, token));
      },
    };
  }
}
