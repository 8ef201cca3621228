import { col, NULLABLE, type TableSpec } from './table-spec.js';

/**
 * SSPanel's `link` table, as adopted by `SubscriptionLink1732400000000` (frozen with it). One row
 * per user and purpose; Panel uses `type = 11` (the subscription token, as the seed origin did).
 * Legacy databases declare `token` and `address` TEXT: there the adopter leaves the token
 * unindexed (logged) and lookups go through the token cache and the (userid, type) index.
 */
export const linkTable: TableSpec = {
  name: 'link',
  ours: false,
  columns: [
    col.id(),
    col.int('type'),
    col.text('address'),
    col.int('port', 0),
    col.varchar('token', 64),
    col.int('ios', 0),
    col.bigint('userid'),
    col.text('isp', NULLABLE),
    col.int('geo', undefined, NULLABLE),
    col.text('method', NULLABLE),
  ],
  indices: [
    // Unique on fresh tables; legacy rows of other types may share tokens, so plain when adopted.
    {
      name: 'uq_link_token',
      columns: ['token'],
      unique: true,
      whenAdopted: 'plain',
    },
    // Not unique: SSPanel keeps several rows per user for its other link types.
    { name: 'idx_link_userid_type', columns: ['userid', 'type'] },
  ],
};
