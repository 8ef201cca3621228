import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { readEnv, toNumber } from './env.util.js';

/** The MU_KEY in `.env.example`; production refuses it. */
export const EXAMPLE_MU_KEY = 'change-me-node-key';
/** Development-only JWT secret; production refuses anything shorter than 32 characters. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

export const REGISTER_MODES = ['open', 'invite', 'closed'] as const;

export class AuthEnv {
  @IsString()
  @MinLength(16)
  JWT_SECRET = DEV_JWT_SECRET;

  /** Token lifetime in seconds. */
  @Transform(toNumber)
  @IsInt()
  @Min(60)
  JWT_EXPIRES_IN_S = 86_400;

  @IsString()
  JWT_ISSUER = 'panel';

  @IsString()
  JWT_AUDIENCE = 'panel-users';

  /** Shared key of the node agents (header `Key`, query `key` / `muKey`). */
  @IsString()
  @MinLength(8)
  MU_KEY = EXAMPLE_MU_KEY;

  @IsIn(REGISTER_MODES)
  REGISTER_MODE: (typeof REGISTER_MODES)[number] = 'open';

  @Transform(toNumber)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_ROUNDS = 10;

  /** Shadowsocks ports handed to new accounts: [SS_PORT_MIN, SS_PORT_MAX]. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65_535)
  SS_PORT_MIN = 10_000;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65_535)
  SS_PORT_MAX = 65_535;
}

/** Problems across AuthEnv's fields (each field alone is checked by its decorators). */
export function authRangeProblems(env: AuthEnv): string[] {
  return env.SS_PORT_MIN > env.SS_PORT_MAX
    ? ['SS_PORT_MAX: must be at least SS_PORT_MIN']
    : [];
}

export const authConfig = registerAs('auth', () => {
  const env = readEnv(AuthEnv);
  return {
    jwtSecret: env.JWT_SECRET,
    jwtExpiresInS: env.JWT_EXPIRES_IN_S,
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    muKey: env.MU_KEY,
    registerMode: env.REGISTER_MODE,
    bcryptRounds: env.BCRYPT_ROUNDS,
    ssPorts: { min: env.SS_PORT_MIN, max: env.SS_PORT_MAX },
  };
});
