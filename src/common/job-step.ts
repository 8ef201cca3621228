/**
 * The contract between the scheduler and the services that own maintenance rules: a step gets
 * the job's clock and dry-run flag and returns how many rows it changed (or, in a dry run,
 * would change). It must be set-based SQL or an id-range batch loop, never per-user in JS.
 */
export interface StepContext {
  now: Date;
  dryRun: boolean;
}

export type MaintenanceStep = (ctx: StepContext) => Promise<number>;
