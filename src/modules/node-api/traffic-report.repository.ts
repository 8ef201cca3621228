import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UserTrafficLog } from '../../database/entities/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { Quote, runStructured } from '../../database/raw-sql.js';
import { TRAFFIC_CHUNK_SIZE } from '../node/node.constants.js';
import {
  claimTrafficReportQuery,
  reclaimTrafficReportQuery,
} from './node-sql.js';

/** SQL for the traffic reports themselves: their dedup keys and the per-user traffic log. */
@Injectable()
export class TrafficReportRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  /**
   * Claims a traffic report for this transaction. UNIQUE(node_id, report_key) turns a resent
   * body into a duplicate-key error (a concurrent resend waits for the first one's commit, then
   * sees it); a key older than the window is re-claimed, since identical deltas can honestly
   * recur. The failed INSERT only aborts its own statement on MySQL and SQLite, so the
   * transaction goes on. Returns false when the report was already applied within the window.
   */
  async claimTrafficReport(
    manager: EntityManager,
    nodeId: number,
    reportKey: string,
    unixNow: number,
    windowS: number,
  ): Promise<boolean> {
    const claim = claimTrafficReportQuery(this.q, nodeId, reportKey, unixNow);
    try {
      await manager.query(claim.sql, claim.params);
      return true;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const reclaim = reclaimTrafficReportQuery(
      this.q,
      nodeId,
      reportKey,
      unixNow,
      windowS,
    );
    const result = await runStructured(manager, reclaim.sql, reclaim.params);
    return (result.affected ?? 0) > 0;
  }

  async insertTrafficLogs(
    manager: EntityManager,
    rows: Omit<UserTrafficLog, 'id'>[],
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += TRAFFIC_CHUNK_SIZE)
      await manager.insert(
        UserTrafficLog,
        rows.slice(i, i + TRAFFIC_CHUNK_SIZE),
      );
  }
}
