/**
 * The `user` SQL on every authenticated request, as a pure builder: raw rather than a TypeORM
 * `findOne`, which rebuilds its query builder and maps the entity per call (~5% of a purchase's
 * CPU, --cpu-prof of bench:money). The repository runs it; the bench's bare mysql2 ceiling
 * imports the same builder (from its build), so both run identical SQL.
 */
import type { Quote, SqlQuery } from '../../database/raw-sql.js';
import type { User } from '../../database/entities/index.js';

/** What JwtStrategy reads: property → column. */
export const AUTH_IDENTITY_COLUMNS = {
  id: 'id',
  email: 'email',
  isAdmin: 'is_admin',
  enable: 'enable',
  pass: 'pass',
} as const satisfies Partial<Record<keyof User, string>>;

/** The user a token names, the columns named as User properties. */
export function authIdentityQuery(q: Quote, id: number): SqlQuery {
  const columns = Object.entries(AUTH_IDENTITY_COLUMNS)
    .map(([property, column]) => `${q(column)} AS ${q(property)}`)
    .join(', ');
  return {
    sql: `SELECT ${columns} FROM ${q('user')} WHERE ${q('id')} = ? LIMIT 1`,
    params: [id],
  };
}
