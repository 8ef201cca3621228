/**
 * The SQL of a commission payout inside the crediting transaction, as pure builders: raw rather
 * than TypeORM's `findOne` / query builders, which rebuild the statement and map the entity per
 * call. The repository runs them; the bench's bare mysql2 ceiling imports the same builders
 * (from its build) so both run identical SQL. Positional `?` for mysql2 and better-sqlite3.
 */

import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type { Payback } from '../../database/entities/index.js';

/** `payback` property → column, in the INSERT's order. */
const PAYBACK_COLUMNS: Readonly<Record<keyof Omit<Payback, 'id'>, string>> = {
  total: 'total',
  userid: 'userid',
  refBy: 'ref_by',
  refGet: 'ref_get',
  datetime: 'datetime',
  callback: 'callback',
  paylistId: 'paylist_id',
  level: 'level',
};

/** A user's link in a referral chain; columns come back named `id`, `refBy`, `enable`. */
export function chainLinkQuery(q: Quote, userId: number): SqlQuery {
  return {
    sql:
      `SELECT ${q('id')} AS ${q('id')}, ${q('ref_by')} AS ${q('refBy')}, ${q('enable')} AS ${q('enable')} ` +
      `FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [userId],
  };
}

/**
 * The payer's link and the `depth` links above it in one statement (a self-join per level:
 * level k is the user the link below points at through `ref_by`), instead of one read per
 * level. Columns: the payer's `id`, `refBy`, `enable`; level k's `id<k>`, `refBy<k>`,
 * `enable<k>` (NULL past the end of the chain) and, with `countPaid`, `paid<k>`: the payer's
 * payments that already earned that user a commission (`total > 0`, PAYBACK_MAX_TIMES).
 */
export function commissionChainQuery(
  q: Quote,
  payerId: number,
  depth: number,
  countPaid: boolean,
): SqlQuery {
  const user = q('user');
  const [id, refBy, enable] = [q('id'), q('ref_by'), q('enable')];
  const columns = [
    `u0.${id} AS ${q('id')}, u0.${refBy} AS ${q('refBy')}, u0.${enable} AS ${q('enable')}`,
  ];
  const joins: string[] = [];
  for (let k = 1; k <= depth; k++) {
    const u = `u${k}`;
    columns.push(
      `${u}.${id} AS ${q(`id${k}`)}, ${u}.${refBy} AS ${q(`refBy${k}`)}, ${u}.${enable} AS ${q(`enable${k}`)}`,
    );
    if (countPaid)
      columns.push(
        `(SELECT COUNT(1) FROM ${q('payback')} b WHERE b.${refBy} = ${u}.${id} AND b.${q('userid')} = u0.${id} AND b.${q('total')} > 0) AS ${q(`paid${k}`)}`,
      );
    joins.push(`LEFT JOIN ${user} ${u} ON ${u}.${id} = u${k - 1}.${refBy}`);
  }
  return {
    sql: [
      `SELECT ${columns.join(', ')} FROM ${user} u0`,
      ...joins,
      `WHERE u0.${id} = ? LIMIT 1`,
    ].join(' '),
    params: [payerId],
  };
}

/** One `payback` row (a commission, a registration reward or a clawback). */
export function insertPaybackQuery(
  q: Quote,
  row: Omit<Payback, 'id'>,
): SqlQuery {
  const properties = Object.keys(
    PAYBACK_COLUMNS,
  ) as (keyof typeof PAYBACK_COLUMNS)[];
  return {
    sql:
      `INSERT INTO ${q('payback')} (${properties.map((p) => q(PAYBACK_COLUMNS[p])).join(', ')}) ` +
      `VALUES (${properties.map(() => '?').join(', ')})`,
    params: properties.map((p) => row[p] ?? null),
  };
}
