import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import {
  CommonErrorCode,
  CommonException,
} from '../errors/common.exception.js';

/** Global guard: every route needs a user JWT unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  handleRequest<TUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    // An error here is the strategy failing to look the user up (the database is down), not a
    // bad credential: rethrown, so it is a 503 and clients keep their session. Token problems
    // arrive in `info` with no user.
    if (err) throw err;
    if (!user) {
      const expired =
        (info as { name?: string } | undefined)?.name === 'TokenExpiredError';
      throw new CommonException(
        CommonErrorCode.UNAUTHORIZED,
        expired ? 'Token expired' : 'Missing or invalid bearer token',
      );
    }
    return user;
  }
}
