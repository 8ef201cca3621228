import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { StepContext } from '../../common/job-step.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { nodeConfig, schedulerConfig } from '../../config/index.js';
import {
  NodeMaintenanceRepository,
  PrunableTable,
} from './node-maintenance.repository.js';

/** How long the check job keeps online-IP and unblock records. */
const ALIVE_IP_KEEP_S = 300;
const UNBLOCK_IP_KEEP_S = 300;
const BLOCK_IP_KEEP_S = DAY_S;
/** traffic_report only guards against replays for a day. */
const TRAFFIC_REPORT_KEEP_S = DAY_S;

/** The node rules of the jobs: dead nodes and telemetry pruning (docs/spec/scheduler.md). */
@Injectable()
export class NodeMaintenanceService {
  constructor(
    @Inject(schedulerConfig.KEY)
    private readonly scheduler: ConfigType<typeof schedulerConfig>,
    @Inject(nodeConfig.KEY)
    private readonly config: ConfigType<typeof nodeConfig>,
    private readonly repo: NodeMaintenanceRepository,
  ) {}

  /** daily 2: a node silent for NODE_DEAD_AFTER_S is marked faulty (`type = 0`). */
  markDeadNodes(ctx: StepContext): Promise<number> {
    const cutoff = unixNow(ctx.now) - this.config.deadAfterS;
    return ctx.dryRun
      ? this.repo.countDeadNodes(cutoff)
      : this.repo.markDeadNodes(cutoff);
  }

  private prune(
    table: PrunableTable,
    keepS: number,
    ctx: StepContext,
  ): Promise<number> {
    return this.repo.pruneOlderThan(
      table,
      unixNow(ctx.now) - keepS,
      this.scheduler.batch,
      ctx.dryRun,
    );
  }

  /** check 1: online IPs and unblocks older than 300 s, blocks older than a day. */
  async pruneIpRecords(ctx: StepContext): Promise<number> {
    return (
      (await this.prune('alive_ip', ALIVE_IP_KEEP_S, ctx)) +
      (await this.prune('unblockip', UNBLOCK_IP_KEEP_S, ctx)) +
      (await this.prune('blockip', BLOCK_IP_KEEP_S, ctx))
    );
  }

  private logRetentionS(): number {
    return this.config.logRetentionDays * DAY_S;
  }

  /** clean: node load reports older than LOG_RETENTION_DAYS. */
  pruneNodeInfo(ctx: StepContext): Promise<number> {
    return this.prune('ss_node_info', this.logRetentionS(), ctx);
  }

  /** clean: node online counts older than LOG_RETENTION_DAYS. */
  pruneNodeOnlineLog(ctx: StepContext): Promise<number> {
    return this.prune('ss_node_online_log', this.logRetentionS(), ctx);
  }

  /** clean: per-user traffic rows older than LOG_RETENTION_DAYS. */
  pruneUserTrafficLog(ctx: StepContext): Promise<number> {
    return this.prune('user_traffic_log', this.logRetentionS(), ctx);
  }

  /** clean: audit hits older than LOG_RETENTION_DAYS. */
  pruneDetectLog(ctx: StepContext): Promise<number> {
    return this.prune('detect_log', this.logRetentionS(), ctx);
  }

  /** clean: traffic-report idempotency keys older than a day. */
  pruneTrafficReports(ctx: StepContext): Promise<number> {
    return this.prune('traffic_report', TRAFFIC_REPORT_KEEP_S, ctx);
  }
}
