import { User } from '../../src/database/entities/index.js';
import { NodeCatalogService } from '../../src/modules/node/catalog/index.js';
import { API, TestApp } from '../utils/test-app.js';
import { daysFromNow } from './node.factory.js';
import { SignedInUser, signUp, updateUser } from './user.factory.js';

export interface Subscribed extends SignedInUser {
  token: string;
  /** `/sub/<token>` (path only, for supertest). */
  path: string;
}

let groupCounter = 100;

/** A node group no other test's user is in: nodes of this group are this test's alone. */
export const freshGroup = (): number => ++groupCounter;

/**
 * A signed-up user in good standing (100 GB quota unused, level and account valid for 30 days),
 * with their subscription token fetched through `GET /user/subscription`.
 */
export async function subscribe(
  t: TestApp,
  values: Partial<User> = {},
): Promise<Subscribed> {
  const user = await signUp(t);
  // A disabled account's JWT is refused: its token is fetched first, as the user would have.
  const { enable, ...rest } = values;
  await updateUser(t.dataSource, user.id, {
    transferEnable: 100 * 1024 ** 3,
    u: 0,
    d: 0,
    classLevel: 0,
    classExpire: daysFromNow(30),
    expireIn: daysFromNow(30),
    ...rest,
  });
  const res = await t
    .http()
    .get(`${API}/user/subscription`)
    .set(user.auth)
    .expect(200);
  if (enable !== undefined) await updateUser(t.dataSource, user.id, { enable });
  const token = res.body.data.token as string;
  return { ...user, token, path: `/sub/${token}` };
}

/** Nodes written straight to the table are seen after the catalog is told. */
export async function refreshCatalog(t: TestApp): Promise<void> {
  await t.app.get(NodeCatalogService).invalidate();
}

/** `upload=1; download=2; total=3; expire=4` → the four numbers, or null if malformed. */
export function parseUserinfo(
  header: string | undefined,
): Record<'upload' | 'download' | 'total' | 'expire', number> | null {
  const m = /^upload=(\d+); download=(\d+); total=(\d+); expire=(\d+)$/.exec(
    header ?? '',
  );
  if (!m) return null;
  return {
    upload: Number(m[1]),
    download: Number(m[2]),
    total: Number(m[3]),
    expire: Number(m[4]),
  };
}
