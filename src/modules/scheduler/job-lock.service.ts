import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { schedulerConfig } from '../../config/index.js';
import { RedisService } from '../redis/redis.service.js';

/** Extends the lock while the token still owns it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Releases (or shortens to ARGV[2] ms) the lock only while the token still owns it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2])
  else return redis.call('del', KEYS[1]) end else return 0 end`;

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
 * The jobs' mutual exclusion across replicas: Redis `SET key token NX PX ttl`, renewed every
 * third of the TTL while the job runs, released by a compare-and-delete script, so a replica
 * never frees a lock it no longer owns. Without REDIS_URL (the embedded single process) the
 * same semantics in memory.
 */
@Injectable()
export class JobLockService {
  private readonly logger = new Logger(JobLockService.name);
  private readonly memory = new Map<
    string,
    { token: string; expiresAt: number }
  >();

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly config: ConfigType<typeof schedulerConfig>,
    private readonly redis: RedisService,
  ) {}

  /** The lock of `name`, or null when another holder has it. Throws when Redis is unreachable. */
  async acquire(name: string): Promise<JobLock | null> {
    const key = `job:lock:${name}`;
    const token = randomUUID();
    const ttl = this.config.lockTtlMs;
    const client = this.redis.client;
    if (!client) return this.acquireInMemory(key, token, ttl);

    if (client.status !== 'ready')
      await Promise.race([
        once(client, 'ready'),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`Redis not ready (${client.status})`)),
            READY_TIMEOUT_MS,
          ).unref(),
        ),
      ]);
    const ok = await client.set(key, token, 'PX', ttl, 'NX');
    if (ok !== 'OK') return null;

    let lost = false;
    const timer = setInterval(
      () => {
        client
          .eval(RENEW, 1, key, token, ttl)
          .then((renewed) => {
            if (Number(renewed) === 0 && !lost) {
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
        await client.eval(
          RELEASE,
          1,
          key,
          token,
          Math.max(0, Math.round(holdMs)),
        );
      },
    };
  }

  private acquireInMemory(
    key: string,
    token: string,
    ttl: number,
  ): JobLock | null {
    const now = Date.now();
    const held = this.memory.get(key);
    if (held && held.expiresAt > now) return null;
    this.memory.set(key, { token, expiresAt: now + ttl });
    const timer = setInterval(
      () => {
        const entry = this.memory.get(key);
        if (entry?.token === token) entry.expiresAt = Date.now() + ttl;
      },
      Math.floor(ttl / 3),
    );
    timer.unref();
    return {
      key,
      token,
      lost: false,
      release: (holdMs = 0) => {
        clearInterval(timer);
        const entry = this.memory.get(key);
        if (entry?.token === token) {
          if (holdMs > 0) entry.expiresAt = Date.now() + holdMs;
          else this.memory.delete(key);
        }
        return Promise.resolve();
      },
    };
  }
}
