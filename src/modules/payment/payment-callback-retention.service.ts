import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { paymentConfig, schedulerConfig } from '../../config/index.js';
import { PaymentCallbackRepository } from './payment-callback.repository.js';

/** How long the callback record (operators' evidence in payment disputes) is kept. */
@Injectable()
export class PaymentCallbackRetentionService {
  constructor(
    @Inject(paymentConfig.KEY)
    private readonly config: ConfigType<typeof paymentConfig>,
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    private readonly callbacks: PaymentCallbackRepository,
  ) {}

  /**
   * clean: `payment_callback` rows older than PAYMENT_CALLBACK_RETENTION_DAYS (0 keeps them
   * all), in id ranges of JOB_BATCH. Orders and the ledger are never touched: only the record
   * of the attempts goes.
   */
  async pruneCallbacks(ctx: StepContext): Promise<number> {
    const days = this.config.callbackRetentionDays;
    if (days === 0) return 0;
    return this.callbacks.pruneOlderThan(
      unixNow(ctx.now) - days * DAY_S,
      this.scheduler.batch,
      ctx.dryRun,
    );
  }
}
