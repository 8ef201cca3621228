import { Controller, Get } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { ReferralViewDto } from './dto/referral-view.dto.js';
import { ReferralViewService } from './referral-view.service.js';

@Controller('user')
export class ReferralController {
  constructor(private readonly viewService: ReferralViewService) {}

  /** The user's invite code and link, invited count and own earnings. */
  @Get('referral')
  referral(@CurrentUser() user: AuthUser): Promise<ReferralViewDto> {
    return this.viewService.view(user.id);
  }
}
