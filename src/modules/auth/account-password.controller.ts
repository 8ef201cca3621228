import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { TokenDto } from './dto/login.dto.js';

/** `/user/password`: under the account's routes, owned here with the other credentials. */
@Controller('user')
export class AccountPasswordController {
  constructor(private readonly authService: AuthService) {}

  /** Revokes every token issued before; answers a fresh one. Counted like a login attempt. */
  @Post('password')
  @RateLimit('auth')
  @HttpCode(HttpStatus.OK)
  change(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
  ): Promise<TokenDto> {
    return this.authService.changePassword(
      user.id,
      dto.current_password,
      dto.new_password,
    );
  }
}
