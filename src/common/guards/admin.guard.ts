import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import type { AuthUser } from '../decorators/current-user.decorator.js';
import {
  CommonErrorCode,
  CommonException,
} from '../errors/common.exception.js';

/** Runs after the global JWT guard: the signed-in user must have `is_admin = 1`. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user?.isAdmin)
      throw new CommonException(
        CommonErrorCode.FORBIDDEN,
        'Administrator rights required',
      );
    return true;
  }
}

/** Marks a controller or route as admin-only. */
export const AdminOnly = (): ClassDecorator & MethodDecorator =>
  applyDecorators(UseGuards(AdminGuard));
