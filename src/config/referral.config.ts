import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsInt,
  IsNumber,
  Max,
  Min,
} from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

const toRates = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value.split(',').map((s) => Number(s.trim()))
    : value;

export class ReferralEnv {
  @Transform(toBool)
  @IsBoolean()
  PAYBACK_ENABLED = true;

  /** One commission rate per level: `0.2` = one level at 20 %; `0.2,0.1,0.05` = three levels. */
  @Transform(toRates)
  @ArrayMaxSize(10)
  @IsNumber({}, { each: true })
  @Min(0, { each: true })
  @Max(1, { each: true })
  PAYBACK_RATES: number[] = [0.2];

  /** Payments of one referee a referrer earns from; 0 = unlimited. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  PAYBACK_MAX_TIMES = 1;

  /** Balance credited to the inviter when someone registers with their code. */
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  INVITE_REWARD = 0;

  /** Registration rewards one inviter may earn in 24 hours; 0 = unlimited. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  INVITE_REWARD_DAILY_LIMIT = 10;

  /** Daily clawback: referees whose score is below this lose their inviter's reward. */
  @Transform(toNumber)
  @IsInt()
  CLAWBACK_SCORE_BELOW = 64;
}

export const referralConfig = registerAs('referral', () => {
  const env = readEnv(ReferralEnv);
  return {
    enabled: env.PAYBACK_ENABLED,
    rates: env.PAYBACK_RATES,
    maxTimes: env.PAYBACK_MAX_TIMES,
    inviteReward: env.INVITE_REWARD,
    inviteRewardDailyLimit: env.INVITE_REWARD_DAILY_LIMIT,
    clawbackScoreBelow: env.CLAWBACK_SCORE_BELOW,
  };
});
