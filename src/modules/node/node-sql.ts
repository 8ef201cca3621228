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

/** The node's traffic_rate (and existence) before a report is applied. */
export function nodeTrafficRateQuery(q: Quote, nodeId: number): SqlQuery {
  return {
    sql: `SELECT ${q('id')} AS id, ${q('traffic_rate')} AS traffic_rate FROM ${q('ss_node')} WHERE ${q('id')} = ? LIMIT 1`,
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
