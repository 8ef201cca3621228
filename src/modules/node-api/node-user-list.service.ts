import { Injectable, Logger } from '@nestjs/common';
import { unixNow } from '../../common/time.js';
import { ALIVE_IP_WINDOW_S } from '../node/node.constants.js';
import { NodeErrorCode, nodeNotFound } from '../node/node.exception.js';
import {
  BuiltList,
  ListRefusal,
  NodeCacheService,
  ResolvedList,
} from './node-cache.service.js';
import {
  SEED_USER_COLUMNS,
  ServableScope,
  SSPANEL_USER_COLUMNS,
  UNIPROXY_USER_COLUMNS,
} from './node-sql.js';
import { NodeConfigRow, NodeRepository } from '../node/node.repository.js';
import { NodeStateService } from '../node/node-state.service.js';
import { NodeUserRepository, RawUserRow } from './node-user.repository.js';
import { NodeException } from '../node/node.exception.js';
import { type EtaggedReply, V2BOARD_ETAG } from './etag.js';

/** Columns sent as JSON integers: a value JavaScript cannot hold exactly leaves its user out. */
const INTEGER_COLUMNS = new Set([
  'id',
  'port',
  'node_connector',
  't',
  'u',
  'd',
  'transfer_enable',
  'class',
  'node_group',
  'enable',
  'switch',
]);

/** The first sent column of `row` holding a number the lists cannot carry, or null. */
export function unservableColumn(row: RawUserRow): string | null {
  for (const [column, value] of Object.entries(row)) {
    if (INTEGER_COLUMNS.has(column)) {
      if (!Number.isSafeInteger(Number(value))) return column;
    } else if (column === 'node_speedlimit' && !Number.isFinite(Number(value)))
      return column;
  }
  return null;
}

/** XrayR keeps its previous list on `ret: 0`; a node that must serve nobody gets this instead. */
const SSPANEL_EMPTY_LIST = '{"ret":1,"data":[]}';

/**
 * UniProxy agents keep their previous list on an error and on an empty list alike, and refuse to
 * start with one: a node that must serve nobody gets the honest empty list.
 */
const UNIPROXY_EMPTY_LIST = '{"users":[]}';

/**
 * The servable-user resolver (docs/spec/node-api.md, "Who a node serves"), one for every dialect. Lists are
 * built from the sent columns only, serialised once and cached with their ETag per node.
 */
@Injectable()
export class NodeUserListService {
  private readonly logger = new Logger(NodeUserListService.name);

  constructor(
    private readonly nodes: NodeRepository,
    private readonly users: NodeUserRepository,
    private readonly cache: NodeCacheService,
    private readonly state: NodeStateService,
  ) {}

  /** `/mod_mu/users`: the heartbeat first (also before a 304), then the cached list. */
  async sspanelList(
    nodeId: number,
    ifNoneMatch: string | undefined,
  ): Promise<EtaggedReply> {
    await this.state.recordHeartbeat(nodeId);
    const reply = await this.cache.resolve(`mu:${nodeId}`, ifNoneMatch, () =>
      this.buildSspanel(nodeId, new Date()),
    );
    return this.orThrow(reply);
  }

  /**
   * The poll's 304 alone, for the cache fast path (node-fast-path.ts): the same heartbeat as
   * `sspanelList`, recorded first, then the cached tag if the agent holds it, else null (the
   * route then runs as usual).
   */
  async sspanelNotModified(
    nodeId: number,
    ifNoneMatch: string,
  ): Promise<string | null> {
    await this.state.recordHeartbeat(nodeId);
    return this.cache.notModified(`mu:${nodeId}`, ifNoneMatch);
  }

  /** `uniproxyList`'s 304 alone, for the fast path: the heartbeat, then V2Board's ETag match. */
  async uniproxyNotModified(
    nodeId: number,
    ifNoneMatch: string,
  ): Promise<string | null> {
    await this.state.recordHeartbeat(nodeId);
    return this.cache.notModified(
      `uniproxy:${nodeId}`,
      ifNoneMatch,
      V2BOARD_ETAG,
    );
  }

  /** `seedList`'s 304 alone (heartbeat only with a node id, as there). */
  async seedNotModified(
    nodeId: number | undefined,
    ifNoneMatch: string,
  ): Promise<string | null> {
    if (nodeId === undefined)
      return this.cache.notModified('seed:all', ifNoneMatch);
    await this.state.recordHeartbeat(nodeId);
    return this.cache.notModified(`seed:${nodeId}`, ifNoneMatch);
  }

  /**
   * UniProxy `user`: the heartbeat first (also before a 304), then the cached
   * `{"users":[{id, uuid, speed_limit, device_limit}]}` with V2Board's ETag.
   */
  async uniproxyList(
    nodeId: number,
    ifNoneMatch: string | undefined,
  ): Promise<EtaggedReply> {
    await this.state.recordHeartbeat(nodeId);
    const reply = await this.cache.resolve(
      `uniproxy:${nodeId}`,
      ifNoneMatch,
      () => this.buildUniProxy(nodeId, new Date()),
      V2BOARD_ETAG,
    );
    return this.orThrow(reply);
  }

  /** Seed `GET /node/users`: node N's list, or every servable user without a node. */
  async seedList(
    nodeId: number | undefined,
    ifNoneMatch: string | undefined,
  ): Promise<EtaggedReply> {
    if (nodeId === undefined) {
      return this.orThrow(
        await this.cache.resolve('seed:all', ifNoneMatch, () =>
          this.buildSeed(null, new Date()),
        ),
      );
    }
    await this.state.recordHeartbeat(nodeId);
    const reply = await this.cache.resolve(
      `seed:${nodeId}`,
      ifNoneMatch,
      async () => {
        const node = await this.nodes.findConfig(nodeId);
        if (!node) throw nodeNotFound(nodeId);
        const refusal = refusalOf(node);
        return refusal
          ? { refusal }
          : this.buildSeed(scopeOf(node), new Date());
      },
    );
    return this.orThrow(reply);
  }

  private orThrow(reply: ResolvedList): EtaggedReply {
    if ('refusal' in reply)
      throw new NodeException(reply.refusal.code, reply.refusal.message);
    return reply;
  }

  private async buildSspanel(nodeId: number, now: Date): Promise<BuiltList> {
    const node = await this.nodes.findConfig(nodeId);
    if (!node) throw nodeNotFound(nodeId);
    if (refusalOf(node)) return { body: SSPANEL_EMPTY_LIST };
    const rows = await this.servable(SSPANEL_USER_COLUMNS, scopeOf(node), now);
    const data = rows.map(({ row, aliveIp }) => ({
      id: Number(row.id),
      uuid: row.uuid,
      passwd: row.passwd,
      method: row.method,
      port: Number(row.port),
      node_speedlimit: Number(row.node_speedlimit),
      node_iplimit: Number(row.node_connector),
      alive_ip: aliveIp,
    }));
    return { body: JSON.stringify({ ret: 1, data }) };
  }

  private async buildUniProxy(nodeId: number, now: Date): Promise<BuiltList> {
    const node = await this.nodes.findConfig(nodeId);
    if (!node) throw nodeNotFound(nodeId);
    if (refusalOf(node)) return { body: UNIPROXY_EMPTY_LIST };
    const rows = await this.servable(UNIPROXY_USER_COLUMNS, scopeOf(node), now);
    const nodeLimit = Number(node.nodeSpeedlimit);
    const users = rows.map(({ row }) => ({
      id: Number(row.id),
      uuid: row.uuid,
      speed_limit: uniproxySpeedLimit(Number(row.node_speedlimit), nodeLimit),
      device_limit: Number(row.node_connector),
    }));
    return { body: JSON.stringify({ users }) };
  }

  private async buildSeed(
    scope: ServableScope | null,
    now: Date,
  ): Promise<BuiltList> {
    const rows = await this.servable(SEED_USER_COLUMNS, scope, now);
    const users = rows.map(({ row }) => ({
      id: Number(row.id),
      email: row.email,
      passwd: row.passwd,
      port: Number(row.port),
      method: row.method,
      protocol: row.protocol,
      obfs: row.obfs,
      t: Number(row.t),
      u: Number(row.u),
      d: Number(row.d),
      transfer_enable: Number(row.transfer_enable),
      class: Number(row.class),
      node_group: Number(row.node_group),
      enable: Number(row.enable),
      switch: Number(row.switch),
      uuid: row.uuid,
      node_speedlimit: Number(row.node_speedlimit),
      node_connector: Number(row.node_connector),
    }));
    return {
      body: JSON.stringify({
        ret: 1,
        msg: 'ok',
        data: { users, count: users.length },
      }),
    };
  }

  /**
   * The SQL filter, then the panel-side device limit: a user with `node_connector > 0` is served
   * while at most that many distinct IPs of theirs were alive (any node) in the last 90 s.
   */
  private async servable(
    columns: readonly string[],
    scope: ServableScope | null,
    now: Date,
  ): Promise<{ row: RawUserRow; aliveIp: number }[]> {
    const [rows, alive] = await Promise.all([
      this.users.findServable(columns, scope, now),
      this.users.aliveIpCounts(unixNow(now) - ALIVE_IP_WINDOW_S),
    ]);
    const out: { row: RawUserRow; aliveIp: number }[] = [];
    const bad: string[] = [];
    for (const row of rows) {
      // One bad row (a counter past 2^53, say) must not take the list away from every user.
      const column = unservableColumn(row);
      if (column) {
        bad.push(`${String(row.id)} (${column})`);
        continue;
      }
      const aliveIp = alive.get(Number(row.id)) ?? 0;
      const limit = Number(row.node_connector);
      if (limit > 0 && aliveIp > limit) continue;
      out.push({ row, aliveIp });
    }
    if (bad.length > 0)
      this.logger.warn(
        `Left ${bad.length} user(s) out of a node list, values out of range: ${bad.slice(0, 20).join(', ')}`,
      );
    return out;
  }
}

/**
 * A UniProxy user carries one limit (V2Board has none per node): the tighter of the user's and
 * the node's, in whole Mbit/s as the agents' `int` needs, never rounded down to 0 (= unlimited).
 */
export function uniproxySpeedLimit(userMbps: number, nodeMbps: number): number {
  const limits = [userMbps, nodeMbps].filter(
    (n) => Number.isFinite(n) && n > 0,
  );
  if (limits.length === 0) return 0;
  return Math.max(1, Math.floor(Math.min(...limits)));
}

function scopeOf(node: NodeConfigRow): ServableScope {
  return { nodeClass: node.nodeClass, nodeGroup: node.nodeGroup };
}

/** A disabled node, or one over its bandwidth limit, serves nobody. */
function refusalOf(node: NodeConfigRow): ListRefusal | null {
  if (node.type === 0)
    return {
      code: NodeErrorCode.NODE_DISABLED,
      message: `Node ${node.id} is disabled`,
    };
  if (
    node.nodeBandwidthLimit > 0 &&
    node.nodeBandwidth >= node.nodeBandwidthLimit
  )
    return {
      code: NodeErrorCode.NODE_OVER_BANDWIDTH,
      message: `Node ${node.id} has used its bandwidth limit`,
    };
  return null;
}
