import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { schedulerConfig } from '../../config/index.js';
import { JobRunnerService } from './job-runner.service.js';
import { JOB_NAMES, JobName } from './scheduler.constants.js';

/**
 * The cron triggers: one per job, with the expression and time zone from the validated config
 * (hence registered through SchedulerRegistry at boot rather than `@Cron` literals, which
 * would be read before the environment is). Each tick only calls the runner; with
 * SCHEDULER_ENABLED=false none is registered on this replica.
 */
@Injectable()
export class SchedulerTriggers
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(SchedulerTriggers.name);

  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly config: ConfigType<typeof schedulerConfig>,
    private readonly registry: SchedulerRegistry,
    private readonly runner: JobRunnerService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.enabled) {
      this.logger.log(
        'Scheduler disabled on this replica (SCHEDULER_ENABLED=false)',
      );
      return;
    }
    for (const job of JOB_NAMES) {
      const cron = CronJob.from({
        cronTime: this.config.cron[job],
        timeZone: this.config.timeZone,
        onTick: () => this.tick(job),
        start: true,
      });
      this.registry.addCronJob(`job:${job}`, cron);
      this.logger.log(
        `Job ${job}: ${this.config.cron[job]} (${this.config.timeZone})`,
      );
    }
  }

  private async tick(job: JobName): Promise<void> {
    try {
      await this.runner.run(job, { trigger: 'cron' });
    } catch (err) {
      this.logger.error(
        `Job ${job} could not run: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  onApplicationShutdown(): void {
    for (const job of JOB_NAMES) {
      const name = `job:${job}`;
      if (this.registry.doesExist('cron', name)) {
        void this.registry.getCronJob(name).stop();
        this.registry.deleteCronJob(name);
      }
    }
  }
}
