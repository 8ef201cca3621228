import { Injectable } from '@nestjs/common';
import { JobRunDto, JobRunListDto } from './dto/job-run.dto.js';
import { JobRunRepository } from './job-run.repository.js';
import { JobRunnerService } from './job-runner.service.js';
import type { JobName } from './scheduler.constants.js';

/** The admin and CLI face of the scheduler: manual runs and the run history. */
@Injectable()
export class SchedulerService {
  constructor(
    private readonly runner: JobRunnerService,
    private readonly runs: JobRunRepository,
  ) {}

  /** Runs a job now (manual trigger: the lock is freed as soon as it ends). */
  async runNow(job: JobName, dryRun: boolean): Promise<JobRunDto> {
    const result = await this.runner.run(job, { dryRun, trigger: 'manual' });
    return Object.assign(new JobRunDto(), result);
  }

  async recentRuns(limit: number, job?: JobName): Promise<JobRunListDto> {
    const rows = await this.runs.findRecent(limit, job);
    return { runs: rows.map((r) => JobRunDto.from(r)), count: rows.length };
  }
}
