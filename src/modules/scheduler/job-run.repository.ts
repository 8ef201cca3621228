import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobRun } from '../../database/entities/index.js';

/** SQL of `job_run`: one row per run, written at the start and completed at the end. */
@Injectable()
export class JobRunRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<JobRun, 'id'>): Promise<number> {
    const result = await this.dataSource.manager.insert(JobRun, row);
    return Number(result.identifiers[0].id);
  }

  async finish(
    id: number,
    values: Pick<JobRun, 'finishedAt' | 'status' | 'steps'>,
  ): Promise<void> {
    await this.dataSource.manager.update(JobRun, { id }, values);
  }

  /** Newest first, optionally one job's. */
  findRecent(limit: number, job?: string): Promise<JobRun[]> {
    return this.dataSource.manager.find(JobRun, {
      where: job ? { job } : {},
      order: { id: 'DESC' },
      take: limit,
    });
  }
}
