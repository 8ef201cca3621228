import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `job_run` (ours): one row per scheduler run. */
@Entity({ name: 'job_run' })
export class JobRun {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  /** daily, hourly, check, clean. */
  @Column({ type: 'varchar', length: 32 })
  job: string;

  /** Unix time. */
  @Column({ name: 'started_at', type: 'int' })
  startedAt: number;

  @Column({ name: 'finished_at', type: 'int', nullable: true })
  finishedAt: number | null;

  /** ok, partial, failed, skipped_locked (running while finishedAt is NULL). */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Column({ name: 'dry_run', type: 'tinyint', default: 0 })
  dryRun: number;

  /** JSON: step name → { affected, durationMs, error? }. */
  @Column({ type: 'text', nullable: true })
  steps: string | null;
}
