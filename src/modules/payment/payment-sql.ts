/**
 * The SQL of a gateway notify's statements, as pure builders: raw rather than TypeORM's
 * `findOne` / query builders, which rebuild the statement and map the entity per call. The
 * repositories run them; the bench's bare mysql2 ceiling imports the same builders (from its
 * build) so both run identical SQL. Positional `?`, which mysql2 and better-sqlite3 both bind.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type {
  Paylist,
  PaymentCallback,
} from '../../database/entities/index.js';

/** `paylist` property → column (every column: the order is returned whole). */
export const ORDER_COLUMNS: Readonly<Record<keyof Paylist, string>> = {
  id: 'id',
  userid: 'userid',
  total: 'total',
  status: 'status',
  tradeno: 'tradeno',
  datetime: 'datetime',
  gateway: 'gateway',
  paidAt: 'paid_at',
  callbackNo: 'callback_no',
};

/** `payment_callback` property → column, in the INSERT's order. */
const CALLBACK_COLUMNS: Readonly<
  Record<keyof Omit<PaymentCallback, 'id'>, string>
> = {
  gateway: 'gateway',
  source: 'source',
  paylistId: 'paylist_id',
  tradeno: 'tradeno',
  outcome: 'outcome',
  reason: 'reason',
  amount: 'amount',
  currency: 'currency',
  reference: 'reference',
  detail: 'detail',
  createdAt: 'created_at',
};

/** The order's columns named as Paylist properties, from `alias` (e.g. `p.`) or the one table. */
function orderColumns(q: Quote, alias = ''): string {
  return Object.entries(ORDER_COLUMNS)
    .map(([property, column]) => `${alias}${q(column)} AS ${q(property)}`)
    .join(', ');
}

/** The order whose `by` column is `value`; columns come back named as Paylist properties. */
export function orderQuery(
  q: Quote,
  by: 'id' | 'tradeno',
  value: number | string,
): SqlQuery {
  return {
    sql: `SELECT ${orderColumns(q)} FROM ${q('paylist')} WHERE ${q(by)} = ? LIMIT 1`,
    params: [value],
  };
}

/**
 * The order a gateway callback names by `tradeno`, and as `checkoutCurrency` the currency of
 * the checkout a gateway started for it (NULL: none started; `paylist_id` is UNIQUE there): the
 * two reads a callback needs before crediting, in one round trip.
 */
export function callbackOrderQuery(q: Quote, tradeno: string): SqlQuery {
  return {
    sql:
      `SELECT ${orderColumns(q, 'p.')}, c.${q('currency')} AS ${q('checkoutCurrency')} ` +
      `FROM ${q('paylist')} p LEFT JOIN ${q('payment_checkout')} c ON c.${q('paylist_id')} = p.${q('id')} ` +
      `WHERE p.${q('tradeno')} = ? LIMIT 1`,
    params: [tradeno],
  };
}

/**
 * The once-only transition: `status = paid` only from one of `from` (unpaid or expired). The
 * affected-row count says whether this statement won.
 */
export function markPaidQuery(
  q: Quote,
  paid: {
    id: number;
    gateway: string | null;
    callbackNo: string | null;
    paidAt: number;
  },
  to: number,
  from: readonly number[],
): SqlQuery {
  return {
    sql:
      `UPDATE ${q('paylist')} SET ${q('status')} = ?, ${q('paid_at')} = ?, ${q('gateway')} = ?, ${q('callback_no')} = ? ` +
      `WHERE ${q('id')} = ? AND ${q('status')} IN (${from.map(() => '?').join(', ')})`,
    params: [to, paid.paidAt, paid.gateway, paid.callbackNo, paid.id, ...from],
  };
}

/** One `payment_callback` record. */
export function insertCallbackQuery(
  q: Quote,
  record: Omit<PaymentCallback, 'id'>,
): SqlQuery {
  const properties = Object.keys(
    CALLBACK_COLUMNS,
  ) as (keyof typeof CALLBACK_COLUMNS)[];
  return {
    sql:
      `INSERT INTO ${q('payment_callback')} (${properties.map((p) => q(CALLBACK_COLUMNS[p])).join(', ')}) ` +
      `VALUES (${properties.map(() => '?').join(', ')})`,
    params: properties.map((p) => record[p] ?? null),
  };
}
