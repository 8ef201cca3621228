import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SsNode } from '../../database/entities/index.js';
import { pruneOlderThan } from '../../database/prune.js';

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

  /** Deletes (or counts) rows older than `beforeS` in id ranges (database/prune.ts). */
  pruneOlderThan(
    table: PrunableTable,
    beforeS: number,
    batch: number,
    dryRun: boolean,
  ): Promise<number> {
    return pruneOlderThan(
      this.dataSource.manager,
      { table, timeColumn: PRUNABLE[table] },
      beforeS,
      batch,
      dryRun,
    );
  }
}
