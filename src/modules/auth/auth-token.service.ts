import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { authConfig } from '../../config/index.js';
import type { TokenDto } from './dto/login.dto.js';

/** The claims the app signs and requires (iss, aud and exp are checked by passport-jwt too). */
export interface AuthTokenClaims {
  sub: string;
  /** Stamp of the password hash the token was issued under (passwordStamp). */
  pws: string;
  exp?: number;
}

/**
 * User tokens: issued with a stamp of the user's current password hash, so changing the password
 * (here, by an operator, or by an adopted SSPanel behind our back) revokes every earlier token
 * without a table of revocations or a migration. The stamp is an HMAC under the JWT secret, so
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
  async issue(user: { id: number; pass: string }): Promise<TokenDto> {
    const claims: AuthTokenClaims = {
      sub: String(user.id),
      pws: this.passwordStamp(user.pass),
    };
    const token = await this.jwt.signAsync(claims, { jwtid: randomUUID() });
    return { token, expires_in: this.config.jwtExpiresInS };
  }

  /**
   * Whether verified claims still hold for the stored user: an `exp` is present (a token
   * without one would never die) and the password is the one the token was issued under.
   */
  stillValid(claims: Partial<AuthTokenClaims>, pass: string): boolean {
    if (typeof claims.exp !== 'number' || typeof claims.pws !== 'string')
      return false;
    const want = Buffer.from(this.passwordStamp(pass));
    const got = Buffer.from(claims.pws);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private passwordStamp(pass: string): string {
    return createHmac('sha256', this.config.jwtSecret)
      .update(`password:${pass}`)
      .digest('base64url')
      .slice(0, 22);
  }
}
