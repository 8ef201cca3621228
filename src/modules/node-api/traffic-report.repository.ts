import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserTrafficLog } from '../../database/entities/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import {
  persister,
  type Quote,
  type SqlSession,
} from '../../database/raw-sql.js';
import { TRAFFIC_CHUNK_SIZE } from '../node/node.constants.js';
import {
  claimTrafficReportQuery,
  reclaimTrafficReportQuery,
} from './node-sql.js';

type TrafficLogRow = Omit<UserTrafficLog, 'id'>;

/** `user_traffic_log`'s columns, by entity property, in INSERT order. */
const TRAFFIC_LOG_COLUMNS = [
  ['userId', 'user_id'],
  ['u', 'u'],
  ['d', 'd'],
  ['nodeId', 'node_id'],
  ['rate', 'rate'],
  ['traffic', 'traffic'],
  ['logTime', 'log_time'],
] as const satisfies readonly (readonly [keyof TrafficLogRow, string])[];

/** SQL for the traffic reports themselves: their dedup keys and the per-user traffic log. */
@Injectable()
export class TrafficReportRepository {
  private readonly q: Quote;
  private readonly persist: ReturnType<
    typeof persister<UserTrafficLog, keyof TrafficLogRow>
  >;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.persist = persister(
      dataSource,
      UserTrafficLog,
      TRAFFIC_LOG_COLUMNS.map(([property]) => property),
    );
  }

  /**
   * Claims a traffic report for this transaction. UNIQUE(node_id, report_key) turns a resent
   * body into a duplicate-key error (a concurrent resend waits for the first one's commit, then
   * sees it); a key older than the window is re-claimed, since identical deltas can honestly
   * recur. The failed INSERT only aborts its own statement on MySQL and SQLite, so the
   * transaction goes on. Returns false when the report was already applied within the window.
   */
  async claimTrafficReport(
    session: SqlSession,
    nodeId: number,
    reportKey: string,
    unixNow: number,
    windowS: number,
  ): Promise<boolean> {
    try {
      await session.query(
        claimTrafficReportQuery(this.q, nodeId, reportKey, unixNow),
      );
      return true;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const reclaimed = await session.affected(
      reclaimTrafficReportQuery(this.q, nodeId, reportKey, unixNow, windowS),
    );
    return reclaimed > 0;
  }

  /** One multi-row INSERT per chunk, the values bound as TypeORM binds them (persister). */
  async insertTrafficLogs(
    session: SqlSession,
    rows: readonly TrafficLogRow[],
  ): Promise<void> {
    const columns = TRAFFIC_LOG_COLUMNS.map(([, column]) => this.q(column));
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += TRAFFIC_CHUNK_SIZE) {
      const chunk = rows.slice(i, i + TRAFFIC_CHUNK_SIZE);
      await session.query({
        sql:
          `INSERT INTO ${this.q('user_traffic_log')} (${columns.join(', ')})` +
          ` VALUES ${chunk.map(() => tuple).join(', ')}`,
        params: chunk.flatMap((row) =>
          TRAFFIC_LOG_COLUMNS.map(([property]) =>
            this.persist(property, row[property]),
          ),
        ),
      });
    }
  }
}
