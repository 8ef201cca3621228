import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { unixNow } from '../../common/time.js';
import { nodeConfig } from '../../config/index.js';
import { ExpiringStore } from '../redis/expiring-store.js';
import {
  HEARTBEAT_WRITE_INTERVAL_S,
  NODE_ONLINE_TTL_S,
  NODE_STATS_TTL_S,
} from './node.constants.js';
import { nodeNotFound } from './node.exception.js';
import { NodeRepository } from './node.repository.js';

/** `node:{id}:online` (TTL 300 s). `load` is null when the agent reports none (SSPanel). */
export interface NodeOnlineState {
  online: number;
  load: string | null;
  at: number;
}

/** `node:{id}:stats` (TTL 180 s), from the seed heartbeat. */
export interface NodeStatsState {
  cpu_load: number;
  memory_usage: number;
  network_speed: number;
  at: number;
}

/** Which agent API a node last spoke (`node:{id}:dialect`, TTL 7 days), and when (unix). */
export type NodeDialect = 'seed' | 'sspanel' | 'uniproxy';
export interface NodeDialectState {
  dialect: NodeDialect;
  at: number;
}

/** How long the last-dialect note outlives the node's last request. */
const NODE_DIALECT_TTL_S = 7 * 86_400;

export interface NodeLiveState {
  online: NodeOnlineState | null;
  stats: NodeStatsState | null;
  dialect: NodeDialectState | null;
}

/**
 * A node's liveness: `ss_node.node_heartbeat` / `node_online` in the database and the recent
 * online/stats snapshots in the ExpiringStore (Redis, or memory with the same TTLs in the
 * embedded mode).
 * Admin views read `liveState()` first.
 */
@Injectable()
export class NodeStateService {
  private readonly logger = new Logger(NodeStateService.name);
  private readonly offlineAfterS: number;
  /** node id → unix second of this replica's last heartbeat write. */
  private readonly lastHeartbeatWrite = new Map<number, number>();
  /** node id → the dialect note this replica last wrote. */
  private readonly lastDialect = new Map<number, NodeDialectState>();

  constructor(
    private readonly nodes: NodeRepository,
    private readonly store: ExpiringStore,
    @Inject(nodeConfig.KEY) config: ConfigType<typeof nodeConfig>,
  ) {
    this.offlineAfterS = config.offlineAfterS;
  }

  /**
   * Records a poll as a heartbeat. Coalesced to one write per node per
   * HEARTBEAT_WRITE_INTERVAL_S on this replica: the 304 path stays free of database writes.
   */
  async recordHeartbeat(nodeId: number, now: Date = new Date()): Promise<void> {
    const at = unixNow(now);
    const last = this.lastHeartbeatWrite.get(nodeId);
    if (last !== undefined && at - last < HEARTBEAT_WRITE_INTERVAL_S) return;
    this.lastHeartbeatWrite.set(nodeId, at);
    await this.nodes.touchHeartbeat(nodeId, at);
  }

  /** Another statement already wrote `node_heartbeat` (e.g. the traffic transaction). */
  noteHeartbeatWritten(nodeId: number, at: number): void {
    this.lastHeartbeatWrite.set(nodeId, at);
  }

  /** Seed `/online`: the reported count to `ss_node.node_online` and Redis. */
  async reportOnline(
    nodeId: number,
    online: number,
    load: string | null,
    now: Date = new Date(),
  ): Promise<void> {
    const at = unixNow(now);
    if (!(await this.nodes.setOnline(nodeId, online, at)))
      throw nodeNotFound(nodeId);
    this.noteHeartbeatWritten(nodeId, at);
    await this.storeOnline(nodeId, { online, load, at });
  }

  /** Writes the Redis snapshot of a node's online users (the DB row is the caller's). */
  async storeOnline(nodeId: number, state: NodeOnlineState): Promise<void> {
    await this.put(`node:${nodeId}:online`, state, NODE_ONLINE_TTL_S);
  }

  /** Seed `/heartbeat`: `node_heartbeat` in the database, the load figures in Redis. */
  async reportStats(
    nodeId: number,
    stats: Omit<NodeStatsState, 'at'>,
    now: Date = new Date(),
  ): Promise<NodeStatsState> {
    const at = unixNow(now);
    if (!(await this.nodes.touchHeartbeat(nodeId, at)))
      throw nodeNotFound(nodeId);
    this.noteHeartbeatWritten(nodeId, at);
    const state = { ...stats, at };
    await this.put(`node:${nodeId}:stats`, state, NODE_STATS_TTL_S);
    return state;
  }

  /** The Redis snapshots (null once expired). */
  async liveState(nodeId: number): Promise<NodeLiveState> {
    const [online, stats, dialect] = await Promise.all([
      this.get<NodeOnlineState>(`node:${nodeId}:online`),
      this.get<NodeStatsState>(`node:${nodeId}:stats`),
      this.get<NodeDialectState>(`node:${nodeId}:dialect`),
    ]);
    return { online, stats, dialect };
  }

  /**
   * Notes which agent API a node just used (admin views show it). Coalesced like the heartbeat:
   * the same dialect is rewritten at most once per HEARTBEAT_WRITE_INTERVAL_S on this replica.
   */
  async noteDialect(
    nodeId: number,
    dialect: NodeDialect,
    now: Date = new Date(),
  ): Promise<void> {
    const at = unixNow(now);
    const last = this.lastDialect.get(nodeId);
    if (last?.dialect === dialect && at - last.at < HEARTBEAT_WRITE_INTERVAL_S)
      return;
    const state = { dialect, at };
    this.lastDialect.set(nodeId, state);
    await this.put(`node:${nodeId}:dialect`, state, NODE_DIALECT_TTL_S);
  }

  /** A node is online while its last heartbeat is younger than NODE_OFFLINE_AFTER_S. */
  isOnline(nodeHeartbeat: number, now: Date = new Date()): boolean {
    return (
      nodeHeartbeat > 0 && unixNow(now) - nodeHeartbeat < this.offlineAfterS
    );
  }

  private async put(key: string, value: object, ttlS: number): Promise<void> {
    // The snapshot is secondary to the database row: a Redis outage must not fail the report.
    await this.store
      .set(key, JSON.stringify(value), ttlS * 1000)
      .catch((err: Error) => this.logger.warn(`Redis ${key}: ${err.message}`));
  }

  private async get<T>(key: string): Promise<T | null> {
    const json = await this.store.get(key).catch(() => null);
    return json === null ? null : (JSON.parse(json) as T);
  }
}
