import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { NodeModule } from '../node/node.module.js';
import { PaymentModule } from '../payment/payment.module.js';
import { ReferralModule } from '../referral/referral.module.js';
import { ShopModule } from '../shop/shop.module.js';
import { UserModule } from '../user/user.module.js';
import { JobCatalog } from './job-catalog.js';
import { JobLockService } from './job-lock.service.js';
import { JobRunRepository } from './job-run.repository.js';
import { JobRunnerService } from './job-runner.service.js';
import { SchedulerAdminController } from './scheduler-admin.controller.js';
import { SchedulerTriggers } from './scheduler-triggers.service.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * The maintenance jobs (docs/spec/scheduler.md): triggers, the distributed lock, the runner that records
 * `job_run`, the admin routes. It owns no rule: the steps are the owning modules' services.
 */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    UserModule,
    NodeModule,
    PaymentModule,
    ReferralModule,
    ShopModule,
  ],
  controllers: [SchedulerAdminController],
  providers: [
    JobCatalog,
    JobLockService,
    JobRunRepository,
    JobRunnerService,
    SchedulerTriggers,
    SchedulerService,
  ],
  exports: [SchedulerService, JobRunnerService],
})
export class SchedulerModule {}
