import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../common/events/domain-events.js';
import type { Subscriber } from './subscription-content.js';
import {
  type IpVerdict,
  SubscriptionFetchCounter,
  SubscriptionIpPolicy,
} from './subscription-fetch-counter.js';
import { SubscriptionRepository } from './subscription.repository.js';

/**
 * The anti-leak rule of the seed origin (research notes on subscriptions, §1.6; README "Subscriptions"), made an operator's choice:
 * count each fetch and its IP per day into `user.rss_count` / `rss_ips_count`, and past
 * SUB_MAX_IPS_PER_DAY warn (`user.warming`) or suspend the account.
 */
@Injectable()
export class SubscriptionGuardService {
  constructor(
    private readonly counter: SubscriptionFetchCounter,
    private readonly policy: SubscriptionIpPolicy,
    private readonly repository: SubscriptionRepository,
    private readonly events: EventEmitter2,
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
    // The nodes' user lists (and this user's cached bodies) must drop the account now.
    if (await this.repository.disable(subscriber.id, warning))
      await this.events.emitAsync(
        USERS_ENTITLEMENTS_CHANGED,
        new UsersEntitlementsChangedEvent([subscriber.id]),
      );
    return 'disabled';
  }
}
