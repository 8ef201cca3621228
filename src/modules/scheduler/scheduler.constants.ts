/** The maintenance jobs of scheduler.md. */
export const JOB_NAMES = ['daily', 'hourly', 'check', 'clean'] as const;

export type JobName = (typeof JOB_NAMES)[number];

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** Outcome of a run, as stored in `job_run.status` (`running` until it finishes). */
export type JobStatus =
  'running' | 'ok' | 'partial' | 'failed' | 'skipped_locked';

/** One step's line in `job_run.steps`. */
export interface StepOutcome {
  affected: number;
  duration_ms: number;
  error?: string;
}

/** A finished (or skipped) run, as the admin route and the CLI show it. */
export interface JobRunResult {
  id: number;
  job: JobName;
  status: JobStatus;
  dry_run: boolean;
  started_at: number;
  finished_at: number | null;
  steps: Record<string, StepOutcome>;
}

/**
 * After a cron-triggered run the lock is kept this long from the run's start, so a replica
 * whose clock is a few seconds late does not run the same tick again once the first finishes.
 */
export const TICK_HOLD_MS = 60_000;
