import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { readEnv, toNumber } from './env.util.js';

export const SUB_IP_ACTIONS = ['warn', 'disable'] as const;
export type SubIpAction = (typeof SUB_IP_ACTIONS)[number];

export class SubscriptionEnv {
  /** The site's name: subscription file name, profile title, default proxy group. */
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  SITE_NAME = 'Panel';

  /** Hours between a client's automatic subscription refreshes (`profile-update-interval`). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(720)
  SUB_UPDATE_INTERVAL_H = 24;

  /** Distinct client IPs per subscription token per day before SUB_IP_ACTION (0 = off). */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  SUB_MAX_IPS_PER_DAY = 0;

  /** What passing SUB_MAX_IPS_PER_DAY does: `warn` (records user.warming) or `disable`. */
  @IsIn(SUB_IP_ACTIONS)
  SUB_IP_ACTION: SubIpAction = 'warn';

  /** Lifetime of a cached subscription body (dropped earlier by any change it depends on). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  SUB_CACHE_TTL_S = 600;
}

export const subscriptionConfig = registerAs('subscription', () => {
  const env = readEnv(SubscriptionEnv);
  return {
    siteName: env.SITE_NAME,
    updateIntervalH: env.SUB_UPDATE_INTERVAL_H,
    maxIpsPerDay: env.SUB_MAX_IPS_PER_DAY,
    ipAction: env.SUB_IP_ACTION,
    cacheTtlMs: env.SUB_CACHE_TTL_S * 1000,
  };
});
