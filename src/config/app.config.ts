import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { readEnv, toList, toNumber } from './env.util.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Express's named ranges a TRUST_PROXY list may use besides addresses and CIDRs. */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * What Express's `trust proxy` gets: false (off: the peer's address is the client), a hop count
 * (trust that many proxies in front), or addresses / CIDR ranges / Express's names.
 */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(value: string): TrustProxy | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'off' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v) <= 10 ? Number(v) : null;
  const items = v.split(',').map((s) => s.trim());
  const valid = items.every((item) => {
    if (TRUST_PROXY_NAMES.has(item)) return true;
    const [addr, bits, ...rest] = item.split('/');
    const family = isIP(addr);
    if (family === 0 || rest.length > 0) return false;
    if (bits === undefined) return true;
    return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  });
  return valid && items.length > 0 ? items : null;
}

@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxyValue implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseTrustProxy(value) !== null;
  }
  defaultMessage(): string {
    return 'must be false, a hop count (1-10) or a comma-separated list of IPs/CIDRs (loopback, linklocal, uniquelocal allowed)';
  }
}

export class AppEnv {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Public base URL of the panel (invite links, payment return/notify URLs). */
  @IsString()
  PUBLIC_URL = 'http://localhost:3000';

  /** Comma-separated CORS origins; empty = CORS off. */
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /** Request body limit for ordinary routes (express/body-parser syntax). */
  @IsString()
  BODY_LIMIT = '1mb';

  /** Body limit for node traffic reports (10,000 entries). */
  @IsString()
  NODE_BODY_LIMIT = '4mb';

  /**
   * Which peers may set X-Forwarded-For (rate limits, registration IPs): `false` (default, the
   * TCP peer is the client), a hop count, or the proxies' addresses / CIDR ranges.
   */
  @IsString()
  @Validate(TrustProxyValue)
  TRUST_PROXY = 'false';

  /**
   * Address to listen on; empty = every interface. A known default secret refuses to start on
   * anything but loopback.
   */
  @IsOptional()
  @Matches(/^[0-9A-Za-z.:%-]*$/, {
    message: 'must be an IP address or host name',
  })
  HOST?: string;

  /** Seconds given to in-flight requests and a running job step on SIGTERM. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_S = 20;
}

export const appConfig = registerAs('app', () => {
  const env = readEnv(AppEnv);
  return {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
    corsOrigins: env.CORS_ORIGINS,
    bodyLimit: env.BODY_LIMIT,
    nodeBodyLimit: env.NODE_BODY_LIMIT,
    shutdownGraceS: env.SHUTDOWN_GRACE_S,
    trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
    host: env.HOST ?? '',
  };
});
