import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { authConfig } from '../../config/index.js';
import type { TokenDto } from './dto/login.dto.js';

/** The claims the app signs and requires (iss, aud and exp are checked by passport-jwt too). */
export interface AuthTokenClaims {
  sub: string;
  /** Stamp of the password hash and service state the token was issued under (accountStamp). */
  pws: string;
  exp?: number;
}

/** What a token's stamp is taken over: the stored password hash and `user.enable`. */
export interface StampedAccount {
  pass: string;
  enable: number;
}

/** The `pws` claim: an HMAC under the JWT secret of the password hash and the service state. */
export function accountStamp(secret: string, account: StampedAccount): string {
  const served = account.enable === 1 ? 'served' : 'suspended';
  return createHmac('sha256', secret)
    .update(`password:${account.pass}:${served}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * User tokens: issued with a stamp of the user's current password hash and service state, so
 * changing the password (here, by an operator, or by an adopted SSPanel behind our back) or
 * suspending the account (`enable` 1 → 0, by an admin or a rule) revokes every earlier token,
 * without a table of revocations or a migration. A suspended user still signs in (the spec:
 * `enable = 0` suspends the service, not the account: they see why, top up and buy), and that
 * token in turn dies when the service comes back. The stamp is an HMAC under the JWT secret, so
 * the token tells nothing about the hash.
 */
@Injectable()
export class AuthTokenService {
  constructor(
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
    private readonly jwt: JwtService,
  ) {}

  /** A fresh token (with `exp`) for the user as stored now. */
  async issue(user: { id: number } & StampedAccount): Promise<TokenDto> {
    const claims: AuthTokenClaims = {
      sub: String(user.id),
      pws: this.accountStamp(user),
    };
    const token = await this.jwt.signAsync(claims, { jwtid: randomUUID() });
    return { token, expires_in: this.config.jwtExpiresInS };
  }

  /**
   * Whether verified claims still hold for the stored user: an `exp` is present (a token
   * without one would never die), and the password and service state are the ones the token was
   * issued under.
   */
  stillValid(
    claims: Partial<AuthTokenClaims>,
    account: StampedAccount,
  ): boolean {
    if (typeof claims.exp !== 'number' || typeof claims.pws !== 'string')
      return false;
    const want = Buffer.from(this.accountStamp(account));
    const got = Buffer.from(claims.pws);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private accountStamp(account: StampedAccount): string {
    return accountStamp(this.config.jwtSecret, account);
  }
}
