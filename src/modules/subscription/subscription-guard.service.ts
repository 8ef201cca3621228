import { Injectable } from '@nestjs/common';
import { NodeCacheService } from '../node-api/node-cache.service.js';
import type { Subscriber } from './subscription-content.js';
import { SubscriptionCacheService } from './subscription-cache.service.js';
import {
  type IpVerdict,
  SubscriptionFetchCounter,
  SubscriptionIpPolicy,
} from './subscription-fetch-counter.js';
import { SubscriptionRepository } from './subscription.repository.js';

/**
 * The anti-leak rule of the seed origin (subscriptions.md 1.6), made an operator's choice:
 * count each fetch and its IP per day into `user.rss_count` / `rss_ips_count`, and past
 * SUB_MAX_IPS_PER_DAY warn (`user.warming`) or suspend the account.
 */
@Injectable()
export class SubscriptionGuardService {
  constructor(
    private readonly counter: SubscriptionFetchCounter,
    private readonly policy: SubscriptionIpPolicy,
    private readonly repository: SubscriptionRepository,
    private readonly cache: SubscriptionCacheService,
    private readonly nodeCache: NodeCacheService,
  ) {}

  /** Counts this fetch; says whether it warned or suspended the account. */
  async recordFetch(
    subscriber: Subscriber,
    ip: string,
    now: Date,
  ): Promise<IpVerdict> {
    const count = await this.counter.count(subscriber.id, ip, now);
    await this.repository.recordFetchStats(
      subscriber.id,
      count.fetches,
      count.ips,
    );
    const action = this.policy.due(count);
    if (action === null) return 'none';
    const warning = this.policy.warning(count, now);
    if (action === 'warn') {
      await this.repository.warn(subscriber.id, warning);
      return 'warned';
    }
    // Conditional: of concurrent fetches past the threshold, one suspends and tells the others.
    if (await this.repository.disable(subscriber.id, warning)) {
      await this.cache.invalidateUser(subscriber.id);
      // The nodes' user lists must drop the account now, not one cache TTL later.
      await this.nodeCache.invalidate();
    }
    return 'disabled';
  }
}
