import { AdoptLegacySchema1732300000000 } from './1732300000000-AdoptLegacySchema.js';
import { SubscriptionLink1732400000000 } from './1732400000000-SubscriptionLink.js';
import { PaymentGateways1732516000000 } from './1732516000000-PaymentGateways.js';

/** Every migration, in order. `typeorm.options.ts` registers this list (no glob: ESM + bundling). */
export const ALL_MIGRATIONS = [
  AdoptLegacySchema1732300000000,
  SubscriptionLink1732400000000,
  PaymentGateways1732516000000,
];
