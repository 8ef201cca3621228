/**
 * The SQL of a purchase's plan read, its `bought` row and the quota read, as pure builders: raw rather than TypeORM
 * query builders, which rebuild the statement and map the entity per call. The repository runs
 * them; the bench's bare mysql2 ceiling imports the same builders (from its build) so both run
 * identical SQL. Positional `?`, which mysql2 and better-sqlite3 both bind.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type { Bought, Shop } from '../../database/entities/index.js';
import type { PurchaseOutcome } from './purchase-rules.js';

/** `shop` property → column (every column: the plan is returned whole). */
export const PLAN_COLUMNS: Readonly<Record<keyof Shop, string>> = {
  id: 'id',
  name: 'name',
  price: 'price',
  content: 'content',
  autoRenew: 'auto_renew',
  autoResetBandwidth: 'auto_reset_bandwidth',
  status: 'status',
};

/** `bought` property → column, in the INSERT's order. */
const BOUGHT_COLUMNS: Readonly<Record<keyof Omit<Bought, 'id'>, string>> = {
  userid: 'userid',
  shopid: 'shopid',
  datetime: 'datetime',
  renew: 'renew',
  coupon: 'coupon',
  price: 'price',
};

const selectList = (q: Quote, columns: Readonly<Record<string, string>>) =>
  Object.entries(columns)
    .map(([property, column]) => `${q(column)} AS ${q(property)}`)
    .join(', ');

/** The plan by id; columns come back named as Shop properties. */
export function planQuery(q: Quote, id: number): SqlQuery {
  return {
    sql: `SELECT ${selectList(q, PLAN_COLUMNS)} FROM ${q('shop')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [id],
  };
}

/** One purchase (or renewal) record. */
export function insertBoughtQuery(q: Quote, row: Omit<Bought, 'id'>): SqlQuery {
  const properties = Object.keys(
    BOUGHT_COLUMNS,
  ) as (keyof typeof BOUGHT_COLUMNS)[];
  return {
    sql:
      `INSERT INTO ${q('bought')} (${properties.map((p) => q(BOUGHT_COLUMNS[p])).join(', ')}) ` +
      `VALUES (${properties.map(() => '?').join(', ')})`,
    params: properties.map((p) => row[p]),
  };
}

/** The user's quota as this transaction sees it, as `transferEnable`. */
export function transferEnableQuery(q: Quote, userId: number): SqlQuery {
  return {
    sql: `SELECT ${q('transfer_enable')} AS ${q('transferEnable')} FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [userId],
  };
}

/** The purchaser's columns a purchase decides on: property → column. */
export const PURCHASER_COLUMNS = {
  id: 'id',
  classLevel: 'class',
  classExpire: 'class_expire',
  expireIn: 'expire_in',
  money: 'money',
} as const;

/**
 * The purchaser's row, read and locked (`lock` is dialect.ts `forUpdateClause`: ` FOR UPDATE` on
 * MySQL, nothing on SQLite); columns named as User properties.
 */
export function purchaserQuery(
  q: Quote,
  userId: number,
  lock: string,
): SqlQuery {
  return {
    sql: `SELECT ${selectList(q, PURCHASER_COLUMNS)} FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1${lock}`,
    params: [userId],
  };
}

/** A purchase's account changes, its DATETIMEs already as the driver binds them (raw-sql `persister`). */
export type AccountChange = Pick<
  PurchaseOutcome,
  'classLevel' | 'quota' | 'speedlimit' | 'connector'
> & { classExpire: DriverValue; expireIn: DriverValue };

type DriverValue = SqlQuery['params'][number];

/**
 * The account UPDATE of a purchase: level and expiries set, the quota reset (with the used
 * counters) or added in SQL (a counter: never read, add in JS, write back), limits when the plan
 * sets them.
 */
export function accountUpdateQuery(
  q: Quote,
  userId: number,
  change: AccountChange,
): SqlQuery {
  const set = [
    `${q('class')} = ?`,
    `${q('class_expire')} = ?`,
    `${q('expire_in')} = ?`,
  ];
  const params: SqlQuery['params'] = [
    change.classLevel,
    change.classExpire,
    change.expireIn,
  ];
  const te = q('transfer_enable');
  if (change.quota.mode === 'reset') {
    set.push(
      `${te} = ?`,
      `${q('u')} = 0`,
      `${q('d')} = 0`,
      `${q('last_day_t')} = 0`,
    );
    params.push(change.quota.bytes);
  }
  if (change.quota.mode === 'add') {
    set.push(`${te} = ${te} + ?`);
    params.push(change.quota.bytes);
  }
  if (change.speedlimit !== null) {
    set.push(`${q('node_speedlimit')} = ?`);
    params.push(change.speedlimit);
  }
  if (change.connector !== null) {
    set.push(`${q('node_connector')} = ?`);
    params.push(change.connector);
  }
  return {
    sql: `UPDATE ${q('user')} SET ${set.join(', ')} WHERE ${q('id')} = ?`,
    params: [...params, userId],
  };
}
