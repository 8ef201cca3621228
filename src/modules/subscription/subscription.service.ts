import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../../config/index.js';
import { SubscriptionInfoDto } from './dto/subscription.dto.js';
import { SubscriptionTokenService } from './subscription-token.service.js';

/** A user's subscription URLs, and their reset (by the user or an admin). */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly tokens: SubscriptionTokenService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** The user's token and URLs; the token is created on the first call. */
  async info(userId: number): Promise<SubscriptionInfoDto> {
    return SubscriptionInfoDto.of(
      this.app.publicUrl,
      await this.tokens.tokenOf(userId),
    );
  }

  /** A new token; every URL of the old one answers 404 from now on. */
  async reset(userId: number): Promise<SubscriptionInfoDto> {
    return SubscriptionInfoDto.of(
      this.app.publicUrl,
      await this.tokens.reset(userId),
    );
  }
}
