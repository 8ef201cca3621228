import {
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import { SubscriptionInfoDto } from './dto/subscription.dto.js';
import { SubscriptionService } from './subscription.service.js';

@AdminOnly()
@Controller('admin/users')
export class SubscriptionAdminController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  /** Issues the user a new subscription token (a leaked URL stops working at once). */
  @Post(':id/subscription/reset')
  @HttpCode(HttpStatus.OK)
  reset(@Param('id', ParseIntPipe) id: number): Promise<SubscriptionInfoDto> {
    return this.subscriptions.reset(id);
  }
}
