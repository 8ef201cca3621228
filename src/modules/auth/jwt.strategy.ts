import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { authConfig } from '../../config/index.js';
import { UserRepository } from '../user/user.repository.js';

interface JwtPayload {
  sub: string;
}

/** Verifies the bearer token, then that the user still exists (a deleted user's token dies). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UserRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: JwtPayload): Promise<AuthUser | false> {
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) return false;
    const user = await this.users.findAuthIdentity(id);
    return user
      ? { id: user.id, email: user.email, isAdmin: Boolean(user.isAdmin) }
      : false;
  }
}
