import { Module } from '@nestjs/common';
import { NodeApiModule } from '../node-api/node-api.module.js';
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
  PENDING_RENDERERS,
  PROFILE_RENDERERS,
} from './subscription-renderers.js';
import { SubscriptionTokenService } from './subscription-token.service.js';
import { SubscriptionController } from './subscription.controller.js';
import { SubscriptionRepository } from './subscription.repository.js';
import { SubscriptionService } from './subscription.service.js';

/**
 * Subscriptions: each user's token (`link`, type 11), the profile routes clients import, the
 * per-user body cache and the anti-leak counters. Exports the cache so other domains can drop
 * a user's bodies.
 */
@Module({
  imports: [NodeCatalogModule, NodeApiModule],
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
    { provide: PROFILE_RENDERERS, useValue: PENDING_RENDERERS },
  ],
  exports: [SubscriptionCacheService],
})
export class SubscriptionModule {}
