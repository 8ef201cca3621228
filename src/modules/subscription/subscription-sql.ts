/**
 * The SQL of a subscription fetch's two statements, as pure builders: raw rather than TypeORM
 * query builders, which rebuild the statement and map the entity on every fetch. The repository
 * runs them; the bench's bare mysql2 ceiling imports the same builders (from its build) so both
 * run identical SQL (a fetch with a cold token lookup runs three). Positional `?`, which mysql2 and better-sqlite3 both bind.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import { SUBSCRIPTION_LINK_TYPE } from '../../database/entities/link.entity.js';
import type { Subscriber } from './subscription-content.js';

/** Subscriber property → `user` column (selected explicitly: never `pass`). */
export const SUBSCRIBER_COLUMNS: Readonly<Record<keyof Subscriber, string>> = {
  id: 'id',
  email: 'email',
  uuid: 'uuid',
  passwd: 'passwd',
  port: 'port',
  method: 'method',
  classLevel: 'class',
  nodeGroup: 'node_group',
  enable: 'enable',
  switch: 'switch',
  u: 'u',
  d: 'd',
  transferEnable: 'transfer_enable',
  classExpire: 'class_expire',
  expireIn: 'expire_in',
};

/** subscriberQuery's text per quoting function (it depends on nothing else), built once. */
const subscriberSql = new WeakMap<Quote, string>();

/**
 * The subscriber, only while `token` is still theirs: through the user's primary key and the
 * (userid, type) index of `link`. Columns come back named as Subscriber properties.
 */
export function subscriberQuery(
  q: Quote,
  userId: number,
  token: string,
): SqlQuery {
  let sql = subscriberSql.get(q);
  if (sql === undefined) {
    const columns = Object.entries(SUBSCRIBER_COLUMNS)
      .map(([property, column]) => `u.${q(column)} AS ${q(property)}`)
      .join(', ');
    sql =
      `SELECT ${columns} FROM ${q('user')} u INNER JOIN ${q('link')} l ` +
      `ON l.${q('userid')} = u.${q('id')} AND l.${q('type')} = ? AND l.${q('token')} = ? ` +
      `WHERE u.${q('id')} = ?`;
    subscriberSql.set(q, sql);
  }
  return { sql, params: [SUBSCRIPTION_LINK_TYPE, token, userId] };
}

/** Whose subscription token this is: through `link`'s token index. */
export function tokenOwnerQuery(q: Quote, token: string): SqlQuery {
  return {
    sql:
      `SELECT ${q('userid')} AS ${q('userId')} FROM ${q('link')} ` +
      `WHERE ${q('token')} = ? AND ${q('type')} = ? LIMIT 1`,
    params: [token, SUBSCRIPTION_LINK_TYPE],
  };
}

/** Today's fetch statistics into the legacy columns (the daily job copies them to *_lastday). */
export function fetchStatsQuery(
  q: Quote,
  userId: number,
  fetches: number,
  ips: number,
): SqlQuery {
  return {
    sql: `UPDATE ${q('user')} SET ${q('rss_count')} = ?, ${q('rss_ips_count')} = ? WHERE ${q('id')} = ?`,
    params: [fetches, ips, userId],
  };
}
