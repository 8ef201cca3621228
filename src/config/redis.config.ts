import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, Matches } from 'class-validator';
import { readEnv } from './env.util.js';

export class RedisEnv {
  /** `redis://[:pass@]host:6379[/db]`; unset = in-memory cache and locks (single process). */
  @IsOptional()
  @Matches(/^rediss?:\/\//, {
    message: 'must start with redis:// or rediss://',
  })
  REDIS_URL?: string;

  /** Prefix of every key this app writes (lets several panels or test runs share a server). */
  @IsString()
  REDIS_KEY_PREFIX = 'panel:';
}

export const redisConfig = registerAs('redis', () => {
  const env = readEnv(RedisEnv);
  return { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX };
});
