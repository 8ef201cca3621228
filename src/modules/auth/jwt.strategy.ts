import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { authConfig } from '../../config/index.js';
import { UserRepository } from '../user/user.repository.js';
import { AuthTokenClaims, AuthTokenService } from './auth-token.service.js';

/**
 * Verifies the bearer token (signature, issuer, audience, expiry), then the user as stored now:
 * a deleted user's token dies, and so does every token issued before the user's last password
 * change or suspension (AuthTokenService.stillValid); a token without `exp` is refused.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UserRepository,
    private readonly tokens: AuthTokenService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once: given the string, jsonwebtoken first tries it as a PEM public
      // key on every verify (createPublicKey throws, caught) before making this same secret key,
      // which cost ~7% of a purchase's CPU (--cpu-prof, bench:money).
      // (jsonwebtoken takes a KeyObject; passport-jwt only passes it on, its types say less.)
      secretOrKey: createSecretKey(
        Buffer.from(config.jwtSecret, 'utf8'),
      ) as unknown as Buffer,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: Partial<AuthTokenClaims>): Promise<AuthUser | false> {
    if (typeof payload.exp !== 'number') return false;
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) return false;
    const user = await this.users.findAuthIdentity(id);
    if (!user) return false;
    if (!this.tokens.stillValid(payload, user)) return false;
    return { id: user.id, email: user.email, isAdmin: Boolean(user.isAdmin) };
  }
}
