/**
 * The SQL of the node API's hot paths, as pure builders. The repositories run them; the bench's
 * bare mysql2 ceiling server imports the same builders (from dist/) so both run identical SQL.
 * Placeholders are positional `?`, which mysql2 and better-sqlite3 both bind.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import {
  billableUsersSql,
  type NodeScope,
  nodeScopeSql,
  saturatingAddSql,
} from '../node/node-sql.js';

/** Columns the UniProxy `user` list is built from (id, uuid, speed_limit, device_limit). */
export const UNIPROXY_USER_COLUMNS = [
  'id',
  'uuid',
  'node_speedlimit',
  'node_connector',
] as const;

/** Columns `/mod_mu/users` sends (renamed/derived fields are built from these). */
export const SSPANEL_USER_COLUMNS = [
  'id',
  'uuid',
  'passwd',
  'method',
  'port',
  'node_speedlimit',
  'node_connector',
] as const;

/** Columns the seed `GET /node/users` sends. */
export const SEED_USER_COLUMNS = [
  'id',
  'email',
  'passwd',
  'port',
  'method',
  'protocol',
  'obfs',
  't',
  'u',
  'd',
  'transfer_enable',
  'class',
  'node_group',
  'enable',
  'switch',
  'uuid',
  'node_speedlimit',
  'node_connector',
] as const;

/** The node's class/group a user must match; null = every servable user (seed, no node_id). */
export type ServableScope = NodeScope;

/**
 * A DATETIME parameter both drivers compare correctly: UTC `YYYY-MM-DD HH:mm:ss.SSS`, the format
 * TypeORM stores in SQLite (compared as text there) and MySQL parses as a DATETIME.
 */
export function sqlDateTime(now: Date): string {
  return now.toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * Who node N serves (docs/spec/node-api.md, "Who a node serves"), except the device limit, which needs
 * the alive-IP counts and is applied to the result. Only the sent columns are read; the
 * `idx_user_servable (enable, switch, node_group, class)` prefix skips disabled accounts.
 */
export function servableUsersQuery(
  q: Quote,
  columns: readonly string[],
  scope: ServableScope | null,
  now: Date,
): SqlQuery {
  const at = sqlDateTime(now);
  const where = [
    `${q('enable')} = 1`,
    `${q('switch')} = 1`,
    `${q('expire_in')} > ?`,
    // Summed as DECIMAL: a row whose u + d passes BIGINT (an adopted or hand-edited one) would
    // make MariaDB fail the whole list ("BIGINT value is out of range"); this way it is merely
    // over its quota.
    `CAST(${q('u')} AS DECIMAL(21, 0)) + CAST(${q('d')} AS DECIMAL(21, 0)) < ${q('transfer_enable')}`,
  ];
  const params: (string | number)[] = [at];
  if (scope) {
    const node = nodeScopeSql(q, scope);
    where.push(
      ...node.where,
      `(${q('class')} = 0 OR ${q('class_expire')} > ?)`,
    );
    params.push(...node.params, at);
  }
  const sql =
    `SELECT ${columns.map(q).join(', ')} FROM ${q('user')}` +
    ` WHERE ${where.join(' AND ')} ORDER BY ${q('id')}`;
  return { sql, params };
}

/** Distinct IPs per user seen by any node since `since` (unix): the panel-side device count. */
export function aliveIpCountsQuery(q: Quote, since: number): SqlQuery {
  return {
    sql:
      `SELECT ${q('userid')} AS userid, COUNT(DISTINCT ${q('ip')}) AS n FROM ${q('alive_ip')}` +
      ` WHERE ${q('datetime')} >= ? GROUP BY ${q('userid')}`,
    params: [since],
  };
}

export interface TrafficDelta {
  id: number;
  /** Bytes to add to `user.u` / `user.d`, the node's traffic_rate already applied. */
  u: number;
  d: number;
}

/**
 * One statement for a whole chunk of users: atomic, saturating increments (never
 * read-modify-write; see saturatingAddSql), the ids sorted so concurrent reports lock rows in
 * the same order. Each delta must be at most MAX_TRAFFIC_BYTES (aggregateTraffic caps them).
 * Only users in the node's scope match (nodeScopeSql): the others are left untouched and, like
 * unknown ids, missing from the matched-row count.
 */
export function addTrafficQuery(
  q: Quote,
  rows: readonly TrafficDelta[],
  unixNow: number,
  scope: NodeScope,
): SqlQuery {
  const when: string[] = [];
  const paramsU: number[] = [];
  const paramsD: number[] = [];
  const ids: number[] = [];
  for (const row of rows) {
    when.push('WHEN ? THEN ?');
    paramsU.push(row.id, row.u);
    paramsD.push(row.id, row.d);
    ids.push(row.id);
  }
  const [id, u, d] = [q('id'), q('u'), q('d')];
  const delta = `CASE ${id} ${when.join(' ')} ELSE 0 END`;
  const billable = billableUsersSql(q, ids, scope);
  const sql =
    `UPDATE ${q('user')} SET ${u} = ${saturatingAddSql(u, delta)},` +
    ` ${d} = ${saturatingAddSql(d, delta)}, ${q('t')} = ?` +
    ` WHERE ${billable.where}`;
  // saturatingAddSql writes its addend twice: the CASE's parameters twice per column.
  return {
    sql,
    params: [
      ...paramsU,
      ...paramsU,
      ...paramsD,
      ...paramsD,
      unixNow,
      ...billable.params,
    ],
  };
}

/** Claims a report key; a duplicate-key error means the same body was seen before. */
export function claimTrafficReportQuery(
  q: Quote,
  nodeId: number,
  reportKey: string,
  unixNow: number,
): SqlQuery {
  return {
    sql: `INSERT INTO ${q('traffic_report')} (${q('node_id')}, ${q('report_key')}, ${q('received_at')}) VALUES (?, ?, ?)`,
    params: [nodeId, reportKey, unixNow],
  };
}

/** Re-claims a key seen before only if that was at least `windowS` seconds ago. */
export function reclaimTrafficReportQuery(
  q: Quote,
  nodeId: number,
  reportKey: string,
  unixNow: number,
  windowS: number,
): SqlQuery {
  return {
    sql:
      `UPDATE ${q('traffic_report')} SET ${q('received_at')} = ?` +
      ` WHERE ${q('node_id')} = ? AND ${q('report_key')} = ? AND ${q('received_at')} <= ?`,
    params: [unixNow, nodeId, reportKey, unixNow - windowS],
  };
}
