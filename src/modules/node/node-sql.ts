/**
 * The `ss_node` SQL of the node API's hot paths, as pure builders (beside node-api's node-sql.ts
 * for the user side). The bench's bare mysql2 ceiling server imports the same builders.
 */
import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import { MAX_TRAFFIC_BYTES } from './node.constants.js';

/**
 * `column + addend`, saturating at MAX_TRAFFIC_BYTES, in SQL both dialects run (no LEAST/MIN):
 * the addition only happens when it cannot pass the cap, so MariaDB never raises "BIGINT value
 * is out of range" and SQLite never turns the integer into a REAL. A value already above the cap
 * (a hand-edited or adopted row) is left as it is. `addend` must be a non-negative expression
 * evaluating to at most MAX_TRAFFIC_BYTES; it appears twice.
 */
export function saturatingAddSql(column: string, addend: string): string {
  const max = String(MAX_TRAFFIC_BYTES);
  return (
    `CASE WHEN ${column} >= ${max} THEN ${column}` +
    ` WHEN ${column} > ${max} - (${addend}) THEN ${max}` +
    ` ELSE ${column} + (${addend}) END`
  );
}

/**
 * The node columns every node-agent route reads (NodeConfigRow), property name → column. UniProxy
 * resolves its node on every poll, so this is raw SQL, not a TypeORM find.
 */
export const NODE_CONFIG_COLUMNS = {
  id: 'id',
  name: 'name',
  type: 'type',
  server: 'server',
  method: 'method',
  sort: 'sort',
  trafficRate: 'traffic_rate',
  nodeClass: 'node_class',
  nodeGroup: 'node_group',
  nodeSpeedlimit: 'node_speedlimit',
  nodeBandwidth: 'node_bandwidth',
  nodeBandwidthLimit: 'node_bandwidth_limit',
  nodeHeartbeat: 'node_heartbeat',
  nodeOnline: 'node_online',
  customConfig: 'custom_config',
} as const;

/** The node's settings, each column under its property name (NODE_CONFIG_COLUMNS). */
export function nodeConfigQuery(q: Quote, nodeId: number): SqlQuery {
  const columns = Object.entries(NODE_CONFIG_COLUMNS)
    .map(([property, column]) => `${q(column)} AS ${q(property)}`)
    .join(', ');
  return {
    sql: `SELECT ${columns} FROM ${q('ss_node')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [nodeId],
  };
}

/** The node's class and group: which users it may serve, list and bill. */
export interface NodeScope {
  nodeClass: number;
  nodeGroup: number;
}

/**
 * The node half of the servable rule (catalog/node-access.ts `userMayUseNode` in SQL): node
 * group 0 serves every group, any other only its own; the user's class must reach the node's.
 * The node lists add the account half; traffic and alive-IP reports apply this half alone
 * (README, "Nodes bill only the users they may serve").
 */
export function nodeScopeSql(
  q: Quote,
  scope: NodeScope,
): { where: string[]; params: number[] } {
  const where: string[] = [];
  const params: number[] = [];
  if (scope.nodeGroup !== 0) {
    where.push(`${q('node_group')} = ?`);
    params.push(scope.nodeGroup);
  }
  where.push(`${q('class')} >= ?`);
  params.push(scope.nodeClass);
  return { where, params };
}

/** The WHERE of "these ids, those of them node reports may touch" (one index range on id). */
export function billableUsersSql(
  q: Quote,
  ids: readonly number[],
  scope: NodeScope,
): { where: string; params: number[] } {
  const node = nodeScopeSql(q, scope);
  return {
    where: [
      `${q('id')} IN (${ids.map(() => '?').join(', ')})`,
      ...node.where,
    ].join(' AND '),
    params: [...ids, ...node.params],
  };
}

/** Which of `ids` exist and are in the node's scope (the traffic log's and alive IPs' filter). */
export function billableUserIdsQuery(
  q: Quote,
  ids: readonly number[],
  scope: NodeScope,
): SqlQuery {
  const billable = billableUsersSql(q, ids, scope);
  return {
    sql: `SELECT ${q('id')} AS id FROM ${q('user')} WHERE ${billable.where}`,
    params: billable.params,
  };
}

/** The node's traffic_rate and scope (and existence) before a report is applied. */
export function nodeTrafficRateQuery(q: Quote, nodeId: number): SqlQuery {
  return {
    sql:
      `SELECT ${q('id')} AS id, ${q('traffic_rate')} AS traffic_rate,` +
      ` ${q('node_class')} AS node_class, ${q('node_group')} AS node_group` +
      ` FROM ${q('ss_node')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [nodeId],
  };
}

/** Raw bytes to the node's counter, atomically and saturating; the report is also a heartbeat. */
export function addNodeBandwidthQuery(
  q: Quote,
  nodeId: number,
  bytes: number,
  unixNow: number,
): SqlQuery {
  const bw = q('node_bandwidth');
  return {
    sql: `UPDATE ${q('ss_node')} SET ${bw} = ${saturatingAddSql(bw, '?')}, ${q('node_heartbeat')} = ? WHERE ${q('id')} = ?`,
    params: [bytes, bytes, unixNow, nodeId],
  };
}

/** Every node's id (a purchase drops every node's cached lists; it runs per purchase). */
export function nodeIdsQuery(q: Quote): SqlQuery {
  return { sql: `SELECT ${q('id')} AS id FROM ${q('ss_node')}`, params: [] };
}
