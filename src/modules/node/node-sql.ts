/**
 * The `ss_node` SQL of the node API's hot paths, as pure builders (beside node-api's node-sql.ts
 * for the user side). The bench's bare mysql2 ceiling server imports the same builders.
 */
import type { Quote, SqlQuery } from '../../database/raw-sql.js';

/** The node's traffic_rate (and existence) before a report is applied. */
export function nodeTrafficRateQuery(q: Quote, nodeId: number): SqlQuery {
  return {
    sql: `SELECT ${q('id')} AS id, ${q('traffic_rate')} AS traffic_rate FROM ${q('ss_node')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [nodeId],
  };
}

/** Raw bytes to the node's counter, atomically; the report is also a heartbeat. */
export function addNodeBandwidthQuery(
  q: Quote,
  nodeId: number,
  bytes: number,
  unixNow: number,
): SqlQuery {
  const bw = q('node_bandwidth');
  return {
    sql: `UPDATE ${q('ss_node')} SET ${bw} = ${bw} + ?, ${q('node_heartbeat')} = ? WHERE ${q('id')} = ?`,
    params: [bytes, unixNow, nodeId],
  };
}
