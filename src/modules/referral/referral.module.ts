import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ReferralClawbackService } from './referral-clawback.service.js';
import { ReferralViewService } from './referral-view.service.js';
import { ReferralController } from './referral.controller.js';
import { ReferralRepository } from './referral.repository.js';
import { ReferralService } from './referral.service.js';

/**
 * Commission, registration reward, clawback and the referral page. Imported by auth (reward)
 * and payment (commission); it imports neither, so there is no cycle.
 */
@Module({
  imports: [LedgerModule],
  controllers: [ReferralController],
  providers: [
    ReferralService,
    ReferralClawbackService,
    ReferralViewService,
    ReferralRepository,
  ],
  exports: [ReferralService, ReferralClawbackService],
})
export class ReferralModule {}
