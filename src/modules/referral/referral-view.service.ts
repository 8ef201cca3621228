import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { notFound } from '../../common/errors/common.exception.js';
import { centsToNumber, toCents } from '../../common/money.js';
import { randomCode } from '../../common/random.js';
import { appConfig } from '../../config/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { retrying } from '../../database/retry.js';
import { maskEmail } from './commission.js';
import { ReferralViewDto } from './dto/referral-view.dto.js';
import { ReferralRepository } from './referral.repository.js';

/** Newest earnings shown by `GET /user/referral`. */
const HISTORY_LIMIT = 100;
const CODE_ATTEMPTS = 5;

/** The signed-in user's referral page. */
@Injectable()
export class ReferralViewService {
  constructor(
    @Inject(appConfig.KEY)
    private readonly app: ConfigType<typeof appConfig>,
    private readonly referrals: ReferralRepository,
  ) {}

  /** Code, link, counts and the user's own earnings; assigns a code to legacy users lazily. */
  async view(userId: number): Promise<ReferralViewDto> {
    const code = await this.ensureInviteCode(userId);
    const [invited, earned, history] = await Promise.all([
      this.referrals.countInvited(userId),
      this.referrals.sumEarned(userId),
      this.referrals.history(userId, HISTORY_LIMIT),
    ]);
    return {
      invite_code: code,
      invite_url: `${this.app.publicUrl}/auth/register?code=${encodeURIComponent(code)}`,
      invited_count: invited,
      earned_total: centsToNumber(toCents(earned)),
      history: history.map((h) => ({
        userid: h.userid,
        email: h.email === null ? null : maskEmail(h.email),
        ref_get: centsToNumber(toCents(h.refGet)),
        total: centsToNumber(toCents(h.total)),
        datetime: h.datetime,
        level: h.level,
      })),
    };
  }

  /**
   * Adopted users have no code: one is set with `WHERE invite_code IS NULL`, so concurrent
   * first views settle on a single code; a collision with another user's code retries.
   */
  private async ensureInviteCode(userId: number): Promise<string> {
    const current = await this.findInviteCode(userId);
    if (current) return current;
    await retrying(
      { attempts: CODE_ATTEMPTS, retryOn: isUniqueViolation },
      () => this.referrals.assignInviteCode(userId, randomCode(12)),
    );
    // Ours, or the one a concurrent first view settled on.
    return (await this.findInviteCode(userId)) as string;
  }

  private async findInviteCode(userId: number): Promise<string | null> {
    const current = await this.referrals.findInviteCode(userId);
    if (current === undefined) throw notFound('User');
    return current;
  }
}
