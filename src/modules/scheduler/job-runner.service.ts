import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { unixNow } from '../../common/time.js';
import { appConfig } from '../../config/index.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JobCatalog } from './job-catalog.js';
import { JobLock, JobLockService } from './job-lock.service.js';
import { JobRunRepository } from './job-run.repository.js';
import {
  JobName,
  JobRunResult,
  JobStatus,
  StepOutcome,
  TICK_HOLD_MS,
} from './scheduler.constants.js';

export interface RunOptions {
  dryRun?: boolean;
  /** `cron` keeps the lock a little after the run (see TICK_HOLD_MS); manual runs free it. */
  trigger?: 'cron' | 'manual';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a job: takes its lock (a real run that loses the race is recorded as `skipped_locked`
 * and does nothing), runs each switched-on step in isolation, and records the run in
 * `job_run` and the logs. A dry run takes no lock (it changes nothing), so it never makes a
 * cron tick skip.
 */
@Injectable()
export class JobRunnerService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunnerService.name);
  /** Set on shutdown: running jobs finish their current step and skip the rest. */
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly catalog: JobCatalog,
    private readonly locks: JobLockService,
    private readonly runs: JobRunRepository,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * SIGTERM: let a running job finish its current step (bounded by SHUTDOWN_GRACE_S) before
   * the pool and Redis close; its later steps are recorded as skipped and the run `partial`.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.inFlight.size === 0) return;
    this.logger.log(
      `Shutdown: waiting for ${this.inFlight.size} running job(s) to finish their current step`,
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.app.shutdownGraceS * 1000);
    });
    await Promise.race([Promise.allSettled(this.inFlight), grace]);
    clearTimeout(timer);
  }

  async run(job: JobName, options: RunOptions = {}): Promise<JobRunResult> {
    const dryRun = options.dryRun ?? false;
    const startedMs = Date.now();
    let lock: JobLock | null = null;
    if (!dryRun) {
      try {
        lock = await this.locks.acquire(job);
      } catch (err) {
        this.logger.error(
          `Job ${job}: lock unavailable, not run: ${message(err)}`,
        );
        return this.record(job, dryRun, 'failed', {
          lock: { affected: 0, duration_ms: 0, error: message(err) },
        });
      }
      if (!lock) {
        this.logger.log(`Job ${job}: another instance holds the lock, skipped`);
        return this.record(job, dryRun, 'skipped_locked', {});
      }
    }
    const running = this.execute(job, dryRun);
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
      const hold =
        options.trigger === 'cron' ? startedMs + TICK_HOLD_MS - Date.now() : 0;
      await lock
        ?.release(hold)
        .catch((err: unknown) =>
          this.logger.warn(`Job ${job}: lock release failed: ${message(err)}`),
        );
    }
  }

  private async execute(job: JobName, dryRun: boolean): Promise<JobRunResult> {
    const ctx: StepContext = { now: new Date(), dryRun };
    const startedAt = unixNow(ctx.now);
    const id = await this.runs.insert({
      job,
      startedAt,
      finishedAt: null,
      status: 'running',
      dryRun: dryRun ? 1 : 0,
      steps: null,
    });
    this.logger.log(
      `Job ${job}${dryRun ? ' (dry run)' : ''} started, run ${id}`,
    );
    const steps: Record<string, StepOutcome> = {};
    for (const step of this.catalog.steps(job)) {
      if (this.stopping) {
        steps[step.name] = {
          affected: 0,
          duration_ms: 0,
          error: 'skipped: shutting down',
        };
        continue;
      }
      const t0 = Date.now();
      try {
        const affected = await step.run(ctx);
        steps[step.name] = { affected, duration_ms: Date.now() - t0 };
        this.logger.log(
          `Job ${job} step ${step.name}: ${affected} row(s)${dryRun ? ' would change' : ''} in ${Date.now() - t0} ms`,
        );
      } catch (err) {
        steps[step.name] = {
          affected: 0,
          duration_ms: Date.now() - t0,
          error: message(err),
        };
        this.logger.error(
          `Job ${job} step ${step.name} failed: ${message(err)}`,
          err instanceof Error ? err.stack : undefined,
        );
      }
    }
    const outcomes = Object.values(steps);
    const failures = outcomes.filter((s) => s.error !== undefined).length;
    const status: JobStatus =
      failures === 0
        ? 'ok'
        : failures === outcomes.length
          ? 'failed'
          : 'partial';
    const finishedAt = unixNow();
    await this.runs.finish(id, {
      finishedAt,
      status,
      steps: JSON.stringify(steps),
    });
    this.logger.log(
      `Job ${job}${dryRun ? ' (dry run)' : ''} finished: ${status}`,
    );
    this.recordMetrics(job, status, dryRun, finishedAt);
    return {
      id,
      job,
      status,
      dry_run: dryRun,
      started_at: startedAt,
      finished_at: finishedAt,
      steps,
    };
  }

  /** A run that did not execute (lock held elsewhere, or unavailable). */
  private async record(
    job: JobName,
    dryRun: boolean,
    status: JobStatus,
    steps: Record<string, StepOutcome>,
  ): Promise<JobRunResult> {
    const now = unixNow();
    const id = await this.runs.insert({
      job,
      startedAt: now,
      finishedAt: now,
      status,
      dryRun: dryRun ? 1 : 0,
      steps: JSON.stringify(steps),
    });
    this.recordMetrics(job, status, dryRun, now);
    return {
      id,
      job,
      status,
      dry_run: dryRun,
      started_at: now,
      finished_at: now,
      steps,
    };
  }

  /** Real runs only: a dry run changes nothing and says nothing about the job's health. */
  private recordMetrics(
    job: JobName,
    status: JobStatus,
    dryRun: boolean,
    at: number,
  ): void {
    if (dryRun || !this.metrics) return;
    this.metrics.jobRuns.inc({ job, status });
    if (status === 'ok') this.metrics.jobLastSuccess.set({ job }, at);
  }
}
