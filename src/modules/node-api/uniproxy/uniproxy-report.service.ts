import { Injectable, Logger } from '@nestjs/common';
import { unixNow } from '../../../common/time.js';
import { ALIVE_IP_WINDOW_S } from '../../node/node.constants.js';
import { NodeStateService } from '../../node/node-state.service.js';
import { NodeTelemetryService } from '../../node/node-telemetry.service.js';
import { NodeTrafficService } from '../node-traffic.service.js';
import { parseAlive, parseStatus, parseTrafficPush } from './uniproxy-body.js';
import { UniProxyNodeService } from './uniproxy-node.service.js';
import { UniProxyRepository } from './uniproxy.repository.js';
import type { UniProxyCaller } from './uniproxy-request.js';

/** `{"data": true}`: what V2Board answers a report with (agents only check the status). */
export const UNIPROXY_OK = { data: true } as const;

/** What the push did, for the log line and the tests. */
export interface PushOutcome {
  applied: number;
  malformed: number;
  duplicate: boolean;
}

/**
 * What UniProxy agents report, through the shared node API: traffic into the one ingestion path
 * (node rate, one transaction, atomic increments, dedup window, unknown users skipped), alive
 * IPs into the one alive-IP state, the load into the node's live state.
 */
@Injectable()
export class UniProxyReportService {
  private readonly logger = new Logger(UniProxyReportService.name);

  constructor(
    private readonly nodes: UniProxyNodeService,
    private readonly traffic: NodeTrafficService,
    private readonly telemetry: NodeTelemetryService,
    private readonly state: NodeStateService,
    private readonly repo: UniProxyRepository,
  ) {}

  /**
   * `push`. Malformed entries are dropped and counted, never a failure of the whole push: XrayR
   * re-sends a push answered with an error, which would re-apply the good entries.
   */
  async push(caller: UniProxyCaller, raw: unknown): Promise<PushOutcome> {
    const node = await this.nodes.resolve(caller);
    const { entries, malformed } = parseTrafficPush(raw);
    if (malformed > 0)
      this.logger.warn(
        `UniProxy push from node ${node.id}: ${malformed} malformed entries ignored`,
      );
    const outcome = await this.traffic.ingest(node.id, entries);
    return {
      applied: outcome.updated,
      malformed,
      duplicate: outcome.duplicate,
    };
  }

  /** `alive`: the users' addresses into `alive_ip` (the node's online count follows). */
  async alive(caller: UniProxyCaller, raw: unknown): Promise<void> {
    const node = await this.nodes.resolve(caller);
    const { entries, malformed } = parseAlive(raw);
    if (malformed > 0)
      this.logger.warn(
        `UniProxy alive from node ${node.id}: ${malformed} malformed entries ignored`,
      );
    await this.telemetry.reportAliveIps(node.id, entries);
  }

  /**
   * `alivelist`: `{"alive": {"<uid>": count}}`, distinct IPs alive on any node within the
   * alive window, for users with a device limit. A plain object, so empty is `{}`: V2bX decodes
   * a `map[int]int` and `[]` would fail it.
   */
  async aliveList(
    caller: UniProxyCaller,
    now: Date = new Date(),
  ): Promise<{ alive: Record<string, number> }> {
    const node = await this.nodes.resolve(caller);
    await this.state.recordHeartbeat(node.id, now);
    const counts = await this.repo.deviceLimitedAliveCounts(
      unixNow(now) - ALIVE_IP_WINDOW_S,
    );
    const alive: Record<string, number> = {};
    for (const [userId, n] of counts) alive[String(userId)] = n;
    return { alive };
  }

  /** `status` (Xboard): CPU and memory use as the node's live stats, and a heartbeat. */
  async status(caller: UniProxyCaller, raw: unknown): Promise<void> {
    const node = await this.nodes.resolve(caller);
    const report = parseStatus(raw);
    const memory =
      report.mem.total > 0 ? (report.mem.used / report.mem.total) * 100 : 0;
    await this.state.reportStats(node.id, {
      cpu_load: report.cpu,
      memory_usage: Math.round(memory * 100) / 100,
      network_speed: 0,
    });
  }
}
