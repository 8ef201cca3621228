/**
 * The step catalogue: every job of docs/spec/scheduler.md and its steps, in the order they run. The one
 * list of step names: JobCatalog binds each to its owner's service (the compiler holds the two
 * to the same names) and the config derives one `JOB_<JOB>_<STEP>` switch per step from it.
 */
export const JOB_STEPS = {
  daily: [
    'traffic_cycle',
    'dead_nodes',
    'traffic_guard',
    'unused_accounts',
    'over_allowance',
    'activity_score',
    'clawback',
    'statistics',
    'level_expiry',
  ],
  // reconcile_orders before unpaid_orders: an order paid but never called back is credited, not expired.
  hourly: ['traffic_guard', 'reconcile_orders', 'unpaid_orders', 'auto_renew'],
  check: ['ip_records', 'level_expiry', 'account_deletion', 'negative_balance'],
  clean: [
    'node_info',
    'node_online_log',
    'user_traffic_log',
    'detect_log',
    'traffic_report',
    'payment_callbacks',
  ],
} as const;

export type JobName = keyof typeof JOB_STEPS;

/** The maintenance jobs of docs/spec/scheduler.md. */
export const JOB_NAMES = Object.keys(JOB_STEPS) as JobName[];

/** The steps of one job. */
export type StepName<J extends JobName> = (typeof JOB_STEPS)[J][number];

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
