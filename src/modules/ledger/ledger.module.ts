import { Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository.js';
import { LedgerService } from './ledger.service.js';

/**
 * The one way balances change. Not global: each module that moves money imports it (shop,
 * payment, referral, admin), so who moves money is visible in the imports.
 */
@Module({
  providers: [LedgerService, LedgerRepository],
  exports: [LedgerService],
})
export class LedgerModule {}
