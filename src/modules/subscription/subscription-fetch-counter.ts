import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { subscriptionConfig } from '../../config/index.js';
import type { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service.js';

/** One fetch, counted: today's fetches and distinct IPs of the token's user. */
export interface FetchCount {
  fetches: number;
  ips: number;
  /** This fetch's IP was new today. */
  newIp: boolean;
}

const DAY_S = 86_400;

/** The UTC day number of a time (the counters' window). */
const dayOf = (now: Date): number => Math.floor(now.getTime() / 1000 / DAY_S);

/**
 * Per user and UTC day: fetches and distinct client IPs. In Redis (a set and a counter per
 * day, one pipeline per fetch, shared by every replica) or, in the embedded mode or while Redis
 * is unreachable, in process memory (today's entries only).
 */
@Injectable()
export class SubscriptionFetchCounter {
  private readonly logger = new Logger(SubscriptionFetchCounter.name);
  private memoryDay = -1;
  private readonly memory = new Map<
    number,
    { fetches: number; ips: Set<string> }
  >();

  constructor(private readonly redis: RedisService) {}

  async count(userId: number, ip: string, now: Date): Promise<FetchCount> {
    const day = dayOf(now);
    const client = this.redis.client;
    if (client) {
      try {
        return await this.countInRedis(client, userId, ip, day);
      } catch (err) {
        this.logger.warn(
          `Redis unavailable for subscription counters, counting in memory: ${(err as Error).message}`,
        );
      }
    }
    return this.countInMemory(userId, ip, day);
  }

  private async countInRedis(
    client: Redis,
    userId: number,
    ip: string,
    day: number,
  ): Promise<FetchCount> {
    const ipsKey = `sub:ips:${userId}:${day}`;
    const fetchesKey = `sub:fetches:${userId}:${day}`;
    const results = await client
      .pipeline()
      .sadd(ipsKey, ip)
      .expire(ipsKey, 2 * DAY_S)
      .incr(fetchesKey)
      .expire(fetchesKey, 2 * DAY_S)
      .scard(ipsKey)
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('pipeline aborted');
    return {
      newIp: Number(results[0][1]) === 1,
      fetches: Number(results[2][1]),
      ips: Number(results[4][1]),
    };
  }

  private countInMemory(userId: number, ip: string, day: number): FetchCount {
    if (day !== this.memoryDay) {
      this.memory.clear();
      this.memoryDay = day;
    }
    let entry = this.memory.get(userId);
    if (!entry) {
      entry = { fetches: 0, ips: new Set() };
      this.memory.set(userId, entry);
    }
    entry.fetches += 1;
    const newIp = !entry.ips.has(ip);
    entry.ips.add(ip);
    return { fetches: entry.fetches, ips: entry.ips.size, newIp };
  }
}

/** What the IP threshold did to this fetch's account. */
export type IpVerdict = 'none' | 'warned' | 'disabled';

/** The operator's threshold (SUB_MAX_IPS_PER_DAY) and action (SUB_IP_ACTION). */
@Injectable()
export class SubscriptionIpPolicy {
  constructor(
    @Inject(subscriptionConfig.KEY)
    private readonly config: ConfigType<typeof subscriptionConfig>,
  ) {}

  /** The action due for this fetch: on each new IP past the threshold (off when 0). */
  due(count: FetchCount): 'warn' | 'disable' | null {
    const max = this.config.maxIpsPerDay;
    if (max === 0 || !count.newIp || count.ips <= max) return null;
    return this.config.ipAction;
  }

  warning(count: FetchCount, now: Date): string {
    const day = now.toISOString().slice(0, 10);
    const action =
      this.config.ipAction === 'disable' ? 'account disabled' : 'warning';
    return (
      `Subscription fetched from ${count.ips} IP addresses on ${day} (UTC), more than ` +
      `${this.config.maxIpsPerDay} allowed: ${action}. Reset your subscription link if it leaked.`
    );
  }
}
