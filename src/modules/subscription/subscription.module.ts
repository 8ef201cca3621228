import { Module } from '@nestjs/common';
import { NodeCatalogModule } from '../node/catalog/index.js';
import { SubscriptionAdminController } from './subscription-admin.controller.js';
import { SubscriptionCacheService } from './subscription-cache.service.js';
import { SubscriptionFeedController } from './subscription-feed.controller.js';
import { SubscriptionFetchService } from './subscription-fetch.service.js';
import {
  SubscriptionFetchCounter,
  SubscriptionIpPolicy,
} from './subscription-fetch-counter.js';
import { SubscriptionGuardService } from './subscription-guard.service.js';
import {
  PROFILE_RENDERERS,
  SUBSCRIPTION_RENDERERS,
} from './subscription-renderers.js';
import { SubscriptionTokenService } from './subscription-token.service.js';
import { SubscriptionController } from './subscription.controller.js';
import { SubscriptionRepository } from './subscription.repository.js';
import { SubscriptionService } from './subscription.service.js';

/**
 * Subscriptions: each user's token (`link`, type 11), the profile routes clients import, the
 * per-user body cache (dropped on USERS_ENTITLEMENTS_CHANGED; node changes reach it through
 * the catalog) and the anti-leak counters.
 */
@Module({
  imports: [NodeCatalogModule],
  controllers: [
    SubscriptionController,
    SubscriptionAdminController,
    SubscriptionFeedController,
  ],
  providers: [
    SubscriptionService,
    SubscriptionTokenService,
    SubscriptionFetchService,
    SubscriptionGuardService,
    SubscriptionFetchCounter,
    SubscriptionIpPolicy,
    SubscriptionCacheService,
    SubscriptionRepository,
    { provide: PROFILE_RENDERERS, useValue: SUBSCRIPTION_RENDERERS },
  ],
})
export class SubscriptionModule {}
