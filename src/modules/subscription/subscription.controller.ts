import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { SubscriptionInfoDto } from './dto/subscription.dto.js';
import { SubscriptionService } from './subscription.service.js';

@Controller('user/subscription')
export class SubscriptionController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  /** The user's subscription token and URLs (created on the first call). */
  @Get()
  info(@CurrentUser() user: AuthUser): Promise<SubscriptionInfoDto> {
    return this.subscriptions.info(user.id);
  }

  /** A new token: the old URLs answer 404 at once. */
  @Post('reset')
  @HttpCode(HttpStatus.OK)
  reset(@CurrentUser() user: AuthUser): Promise<SubscriptionInfoDto> {
    return this.subscriptions.reset(user.id);
  }
}
