import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** What the JWT strategy attaches to `req.user` after checking the user still exists. */
export interface AuthUser {
  id: number;
  email: string;
  isAdmin: boolean;
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser =>
    ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
