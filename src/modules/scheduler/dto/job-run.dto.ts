import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { JobRun } from '../../../database/entities/index.js';
import {
  JOB_NAMES,
  type JobName,
  type JobStatus,
  type StepOutcome,
} from '../scheduler.constants.js';

const JOB_NAME_MESSAGE = `name must be one of: ${JOB_NAMES.join(', ')}`;

export class JobNameParamDto {
  @IsIn(JOB_NAMES, { message: JOB_NAME_MESSAGE })
  name: JobName;
}

export class RunJobDto {
  /** Count what each step would change and change nothing. */
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

export class ListJobRunsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @IsOptional()
  @IsIn(JOB_NAMES, { message: `job must be one of: ${JOB_NAMES.join(', ')}` })
  job?: JobName;
}

/** One `job_run` row as the admin API shows it. */
export class JobRunDto {
  id: number;
  job: string;
  status: JobStatus;
  dry_run: boolean;
  /** Unix seconds. */
  started_at: number;
  finished_at: number | null;
  /** step → {affected, duration_ms, error?} */
  steps: Record<string, StepOutcome>;

  static from(row: JobRun): JobRunDto {
    return Object.assign(new JobRunDto(), {
      id: Number(row.id),
      job: row.job,
      status: row.status as JobStatus,
      dry_run: Number(row.dryRun) === 1,
      started_at: row.startedAt,
      finished_at: row.finishedAt,
      steps: row.steps
        ? (JSON.parse(row.steps) as Record<string, StepOutcome>)
        : {},
    });
  }
}

export class JobRunListDto {
  runs: JobRunDto[];
  count: number;
}
