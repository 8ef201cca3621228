import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SsNode } from '../../database/entities/index.js';

/** The telemetry tables the jobs prune, each with its unix-time column. */
export const PRUNABLE = {
  alive_ip: 'datetime',
  blockip: 'datetime',
  unblockip: 'datetime',
  ss_node_info: 'log_time',
  ss_node_online_log: 'log_time',
  user_traffic_log: 'log_time',
  detect_log: 'datetime',
  traffic_report: 'received_at',
} as const;

export type PrunableTable = keyof typeof PRUNABLE;

/** SQL of the node jobs: dead-node marking and id-range pruning of telemetry. */
@Injectable()
export class NodeMaintenanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private deadCondition(cutoffS: number) {
    return {
      where: 'type != 0 AND node_heartbeat < :deadBefore',
      params: { deadBefore: cutoffS },
    };
  }

  /** Nodes shown as working whose last heartbeat is older than `cutoffS` (unix). */
  async countDeadNodes(cutoffS: number): Promise<number> {
    const c = this.deadCondition(cutoffS);
    return this.dataSource.manager
      .createQueryBuilder(SsNode, 'node')
      .where(c.where, c.params)
      .getCount();
  }

  /** Marks them faulty (`type = 0`); a few dozen rows, one statement. */
  async markDeadNodes(cutoffS: number): Promise<number> {
    const c = this.deadCondition(cutoffS);
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .update(SsNode)
      .set({ type: 0 })
      .where(c.where, c.params)
      .execute();
    return result.affected ?? 0;
  }

  private async idBounds(
    table: PrunableTable,
  ): Promise<{ lo: number; hi: number } | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder()
      .select('MIN(id)', 'lo')
      .addSelect('MAX(id)', 'hi')
      .from(table, 't')
      .getRawOne<{ lo: number | string | null; hi: number | string | null }>();
    if (row?.lo === null || row?.lo === undefined) return null;
    return { lo: Number(row.lo), hi: Number(row.hi) };
  }

  /** Oldest time in an id range, null when the range is empty. */
  private async oldestIn(
    table: PrunableTable,
    lo: number,
    hi: number,
  ): Promise<number | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder()
      .select(`MIN(${PRUNABLE[table]})`, 'oldest')
      .from(table, 't')
      .where('id >= :lo AND id < :hi', { lo, hi })
      .getRawOne<{ oldest: number | string | null }>();
    return row?.oldest === null || row?.oldest === undefined
      ? null
      : Number(row.oldest);
  }

  private async inRange(
    table: PrunableTable,
    lo: number,
    hi: number,
    beforeS: number,
    dryRun: boolean,
  ): Promise<number> {
    const where = `id >= :lo AND id < :hi AND ${PRUNABLE[table]} < :before`;
    const params = { lo, hi, before: beforeS };
    if (dryRun) {
      const row = await this.dataSource.manager
        .createQueryBuilder()
        .select('COUNT(*)', 'n')
        .from(table, 't')
        .where(where, params)
        .getRawOne<{ n: number | string }>();
      return Number(row?.n ?? 0);
    }
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(table)
      .where(where, params)
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Deletes (or counts) rows older than `beforeS`, one primary-key range of `batch` ids per
   * statement, so the table stays writable and no time index is needed. Ids grow with time:
   * the walk stops at the first non-empty range that holds nothing old. A row written late
   * with an old time behind that point waits for a later run.
   */
  async pruneOlderThan(
    table: PrunableTable,
    beforeS: number,
    batch: number,
    dryRun: boolean,
  ): Promise<number> {
    const bounds = await this.idBounds(table);
    if (!bounds) return 0;
    let total = 0;
    for (let lo = bounds.lo; lo <= bounds.hi; lo += batch) {
      const n = await this.inRange(table, lo, lo + batch, beforeS, dryRun);
      total += n;
      if (n === 0) {
        const oldest = await this.oldestIn(table, lo, lo + batch);
        if (oldest !== null && oldest >= beforeS) break;
      }
    }
    return total;
  }
}
