import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Min } from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

export class NodeEnv {
  /** One `user_traffic_log` row per (user, report). */
  @Transform(toBool)
  @IsBoolean()
  TRAFFIC_LOG = false;

  /** An identical traffic body from the same node within this window is not applied twice. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  TRAFFIC_DEDUP_WINDOW_S = 30;

  /** A node is online while its last heartbeat is younger than this. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  NODE_OFFLINE_AFTER_S = 600;

  /** How long a node's cached user list and ETag live before a rebuild. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  NODE_USERS_CACHE_TTL_S = 60;

  /** UniProxy `base_config.push_interval`: seconds between a V2bX agent's traffic pushes. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  UNIPROXY_PUSH_INTERVAL_S = 60;

  /** UniProxy `base_config.pull_interval`: seconds between a V2bX agent's config/user pulls. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  UNIPROXY_PULL_INTERVAL_S = 60;

  /** Daily job: a node without a heartbeat this long is marked faulty (`type = 0`). */
  @Transform(toNumber)
  @IsInt()
  @Min(60)
  NODE_DEAD_AFTER_S = 7200;

  /** Weekly clean: days node and traffic logs are kept. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  LOG_RETENTION_DAYS = 3;
}

export const nodeConfig = registerAs('node', () => {
  const env = readEnv(NodeEnv);
  return {
    trafficLog: env.TRAFFIC_LOG,
    trafficDedupWindowS: env.TRAFFIC_DEDUP_WINDOW_S,
    offlineAfterS: env.NODE_OFFLINE_AFTER_S,
    usersCacheTtlS: env.NODE_USERS_CACHE_TTL_S,
    uniproxyPushIntervalS: env.UNIPROXY_PUSH_INTERVAL_S,
    uniproxyPullIntervalS: env.UNIPROXY_PULL_INTERVAL_S,
    deadAfterS: env.NODE_DEAD_AFTER_S,
    logRetentionDays: env.LOG_RETENTION_DAYS,
  };
});
