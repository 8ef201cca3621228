import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { subscriptionConfig } from '../../config/index.js';
import { ExpiringStore } from '../redis/expiring-store.js';
import { MemoryExpiringStore } from '../redis/memory-expiring-store.js';

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
/** A day's counters outlive it by a day (a replica whose clock is late still finds them). */
const COUNTER_TTL_MS = 2 * DAY_S * 1000;

/**
 * Per user and UTC day: fetches and distinct client IPs, as a counter and a set per day in the
 * ExpiringStore (Redis: shared by every replica) or, in the embedded mode or while Redis is
 * unreachable, in a process-memory store (pruned like every memory store).
 */
@Injectable()
export class SubscriptionFetchCounter {
  private readonly logger = new Logger(SubscriptionFetchCounter.name);
  private readonly fallback = new MemoryExpiringStore();

  constructor(private readonly store: ExpiringStore) {}

  count(userId: number, ip: string, now: Date): Promise<FetchCount> {
    const day = dayOf(now);
    return this.countIn(this.store, userId, ip, day).catch((err: unknown) => {
      this.logger.warn(
        `Redis unavailable for subscription counters, counting in memory: ${(err as Error).message}`,
      );
      return this.countIn(this.fallback, userId, ip, day);
    });
  }

  private countIn(
    store: ExpiringStore,
    userId: number,
    ip: string,
    day: number,
  ): Promise<FetchCount> {
    // One command (one round trip) for the day's IP set and fetch counter.
    return store
      .addMemberAndIncrement(
        `sub:ips:${userId}:${day}`,
        ip,
        `sub:fetches:${userId}:${day}`,
        COUNTER_TTL_MS,
      )
      .then(({ addition, count }) => ({
        fetches: count,
        ips: addition.size,
        newIp: addition.added,
      }));
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
