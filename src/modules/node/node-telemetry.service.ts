import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { unixNow } from '../../common/time.js';
import { DetectList } from '../../database/entities/index.js';
import { ALIVE_IP_WINDOW_S } from './node.constants.js';
import { nodeNotFound } from './node.exception.js';
import { NodeRepository } from './node.repository.js';
import { NodeStateService } from './node-state.service.js';
import {
  AliveIpPair,
  NodeTelemetryRepository,
} from './node-telemetry.repository.js';

/** What agents report besides traffic (online IPs, audit hits, legacy load) and the audit rules. */
@Injectable()
export class NodeTelemetryService {
  private readonly logger = new Logger(NodeTelemetryService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodeRepository,
    private readonly telemetry: NodeTelemetryRepository,
    private readonly state: NodeStateService,
  ) {}

  /**
   * `/mod_mu/users/aliveip`: upserts the (user, IP) pairs of users the node may serve (unknown
   * users and those outside its group or class are skipped and counted, as in traffic reports),
   * then the node's online count (distinct users alive on it within 90 s) goes to
   * `ss_node.node_online` and Redis.
   */
  async reportAliveIps(
    nodeId: number,
    entries: readonly { user_id: number; ip: string }[],
    now: Date = new Date(),
  ): Promise<{ online: number; skipped: number }> {
    const node = await this.nodes.findReportTarget(nodeId);
    if (!node) throw nodeNotFound(nodeId);
    const at = unixNow(now);
    const pairs = new Map<string, AliveIpPair>();
    for (const e of entries)
      pairs.set(`${e.user_id}|${e.ip}`, { userId: e.user_id, ip: e.ip });
    const { online, skipped } = await this.dataSource.transaction(
      async (manager) => {
        const skipped = await this.telemetry.upsertAliveIps(
          manager,
          nodeId,
          node.scope,
          [...pairs.values()],
          at,
        );
        const online = await this.telemetry.countOnlineUsers(
          nodeId,
          at - ALIVE_IP_WINDOW_S,
          manager,
        );
        await this.nodes.setOnline(nodeId, online, at, manager);
        return { online, skipped };
      },
    );
    if (skipped > 0)
      this.logger.debug(
        `Alive IPs from node ${nodeId}: ${skipped} pair(s) of users it may not serve skipped`,
      );
    this.state.noteHeartbeatWritten(nodeId, at);
    await this.state.storeOnline(nodeId, { online, load: null, at });
    return { online, skipped };
  }

  /** `/mod_mu/users/detectlog`: one `detect_log` row per hit. */
  async reportDetections(
    nodeId: number,
    entries: readonly { user_id: number; list_id: number }[],
    now: Date = new Date(),
  ): Promise<void> {
    if (!(await this.nodes.exists(nodeId))) throw nodeNotFound(nodeId);
    const at = unixNow(now);
    if (entries.length === 0) return;
    await this.dataSource.transaction((manager) =>
      this.telemetry.insertDetectLogs(
        manager,
        entries.map((e) => ({
          userId: e.user_id,
          listId: e.list_id,
          nodeId,
          datetime: at,
        })),
      ),
    );
  }

  /** Legacy `POST /mod_mu/nodes/:id/info` (agents reporting a version below 2023.2). */
  async reportLoad(
    nodeId: number,
    uptime: number,
    load: string,
    now: Date = new Date(),
  ): Promise<void> {
    const at = unixNow(now);
    if (!(await this.nodes.touchHeartbeat(nodeId, at)))
      throw nodeNotFound(nodeId);
    this.state.noteHeartbeatWritten(nodeId, at);
    await this.nodes.insertLoadReport({ nodeId, uptime, load, logTime: at });
  }

  /** The audit rules agents fetch (`/mod_mu/func/detect_rules`; a few rows: read per request). */
  async detectRules(): Promise<
    Pick<DetectList, 'id' | 'name' | 'text' | 'regex' | 'type'>[]
  > {
    const rules = await this.telemetry.findDetectRules();
    return rules.map((r) => ({
      id: r.id,
      name: r.name,
      text: r.text,
      regex: r.regex,
      type: r.type,
    }));
  }
}
