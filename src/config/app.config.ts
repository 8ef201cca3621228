import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { readEnv, toList, toNumber } from './env.util.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

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
  };
});
