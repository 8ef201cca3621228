import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { unixNow } from '../../common/time.js';
import { nodeConfig } from '../../config/index.js';
import { isTransientLockError } from '../../database/db-errors.js';
import { poolTransaction, type SqlSession } from '../../database/raw-sql.js';
import { retrying } from '../../database/retry.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TRAFFIC_CHUNK_SIZE } from '../node/node.constants.js';
import { nodeNotFound } from '../node/node.exception.js';
import { NodeReportTarget, NodeRepository } from '../node/node.repository.js';
import { NodeStateService } from '../node/node-state.service.js';
import { TRAFFIC_MAX_ATTEMPTS } from './node-api.constants.js';
import { TrafficReportRepository } from './traffic-report.repository.js';
import { NodeUserRepository } from './node-user.repository.js';
import { aggregateTraffic, AggregatedReport } from './traffic-aggregate.js';
import { humanBytes } from './traffic-format.js';

/** One entry of a traffic report: byte deltas since the last acknowledged report. */
export interface TrafficEntry {
  user_id: number;
  u: number;
  d: number;
}

export interface TrafficOutcome {
  nodeId: number;
  /** Users whose counters were incremented. */
  updated: number;
  /**
   * Distinct user ids the report named that were not billed: unknown (deleted) users and users
   * outside the node's group or class (README, "Nodes bill only the users they may serve").
   */
  skipped: number;
  /** Raw bytes (u + d, before traffic_rate) the report carries. */
  rawBytes: number;
  /** An identical body already applied within TRAFFIC_DEDUP_WINDOW_S: acknowledged, not applied. */
  duplicate: boolean;
}

/**
 * Traffic ingestion, the hot write path: the whole report in one transaction and a constant
 * number of statements (see TRAFFIC_CHUNK_SIZE), atomic increments, idempotent within the dedup
 * window, unknown users and users outside the node's scope skipped and counted (failing the
 * report would make XrayR resend it all next cycle: double billing).
 */
@Injectable()
export class NodeTrafficService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(nodeConfig.KEY)
    private readonly config: ConfigType<typeof nodeConfig>,
    private readonly nodes: NodeRepository,
    private readonly users: NodeUserRepository,
    private readonly reports: TrafficReportRepository,
    private readonly state: NodeStateService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Applies a validated report from `nodeId` (throws NODE_NOT_FOUND before writing anything). */
  async ingest(
    nodeId: number,
    entries: readonly TrafficEntry[],
    now: Date = new Date(),
  ): Promise<TrafficOutcome> {
    const node = await this.nodes.findReportTarget(nodeId);
    if (!node) throw nodeNotFound(nodeId);
    const at = unixNow(now);
    const report = aggregateTraffic(entries, node.trafficRate);
    let outcome: TrafficOutcome;
    if (report.deltas.length === 0) {
      await this.state.recordHeartbeat(nodeId, now);
      outcome = {
        nodeId,
        updated: 0,
        skipped: 0,
        rawBytes: 0,
        duplicate: false,
      };
    } else {
      // Identical bytes from the same node hash alike: JSON.parse keeps the body's key order.
      const reportKey = createHash('sha256')
        .update(`${nodeId}\n${JSON.stringify(entries)}`)
        .digest('hex');
      outcome = await this.withLockRetry(() =>
        poolTransaction(this.dataSource, (session) =>
          this.apply(session, node, report, reportKey, at),
        ),
      );
      this.state.noteHeartbeatWritten(nodeId, at);
    }
    this.reportOutcome(outcome);
    return outcome;
  }

  private async apply(
    session: SqlSession,
    node: NodeReportTarget,
    report: AggregatedReport,
    reportKey: string,
    at: number,
  ): Promise<TrafficOutcome> {
    const { id: nodeId, trafficRate: rate, scope } = node;
    const base = { nodeId, rawBytes: report.rawBytes };
    const fresh = await this.reports.claimTrafficReport(
      session,
      nodeId,
      reportKey,
      at,
      this.config.trafficDedupWindowS,
    );
    if (!fresh) return { ...base, updated: 0, skipped: 0, duplicate: true };
    let updated = 0;
    const logged: number[] = [];
    for (let i = 0; i < report.deltas.length; i += TRAFFIC_CHUNK_SIZE) {
      const chunk = report.deltas.slice(i, i + TRAFFIC_CHUNK_SIZE);
      updated += await this.users.addTraffic(session, chunk, at, scope);
      if (this.config.trafficLog) {
        const known = await this.users.findBillableIds(
          session,
          chunk.map((c) => c.id),
          scope,
        );
        logged.push(...chunk.filter((c) => known.has(c.id)).map((c) => c.id));
      }
    }
    await this.nodes.addBandwidth(session, nodeId, report.rawBytes, at);
    if (logged.length > 0) {
      const byId = new Map(report.deltas.map((d) => [d.id, d]));
      await this.reports.insertTrafficLogs(
        session,
        logged.map((id) => ({
          userId: id,
          u: report.raw.get(id)!.u,
          d: report.raw.get(id)!.d,
          nodeId,
          rate,
          traffic: humanBytes(byId.get(id)!.u + byId.get(id)!.d),
          logTime: at,
        })),
      );
    }
    return {
      ...base,
      updated,
      skipped: report.deltas.length - updated,
      duplicate: false,
    };
  }

  /** InnoDB may pick a report as a deadlock victim; the whole transaction is simply rerun. */
  private async withLockRetry<T>(work: () => Promise<T>): Promise<T> {
    return retrying(
      { attempts: TRAFFIC_MAX_ATTEMPTS, retryOn: isTransientLockError },
      work,
    );
  }

  /**
   * The one place every ingestion outcome passes through: metrics (reports, bytes, skipped
   * users, duplicates) hook in here.
   */
  private reportOutcome(outcome: TrafficOutcome): void {
    this.metrics?.recordTrafficReport(outcome.rawBytes, outcome.duplicate);
  }
}
