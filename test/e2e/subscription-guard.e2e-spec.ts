import { SsNode, User } from '../../src/database/entities/index.js';
import { SubscriptionCacheService } from '../../src/modules/subscription/subscription-cache.service.js';
import { createNode, daysFromNow, muQuery } from '../factories/node.factory.js';
import { createPlan, giveMoney } from '../factories/shop.factory.js';
import {
  freshGroup,
  refreshCatalog,
  subscribe,
  Subscribed,
} from '../factories/subscription.factory.js';
import { signUpAdmin } from '../factories/user.factory.js';
import {
  base64ListNames,
  bodyText,
  profileNames,
} from '../utils/subscription-profile.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itWithRedis } from '../utils/modes.js';

const GB = 1024 ** 3;

const userRow = (t: TestApp, id: number) =>
  t.dataSource.getRepository(User).findOneByOrFail({ id });

/** The names of the v2ray list fetched from `ip` (these apps trust X-Forwarded-For from loopback). */
async function namesFrom(t: TestApp, user: Subscribed, ip = '198.51.100.1') {
  const res = await t
    .http()
    .get(`${user.path}/v2ray`)
    .set('X-Forwarded-For', ip)
    .responseType('blob');
  expect(res.status).toBe(200);
  return base64ListNames(bodyText(res));
}

describe('subscription fetch counters and the IP threshold: warn (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SUB_MAX_IPS_PER_DAY: '2',
        SUB_IP_ACTION: 'warn',
        TRUST_PROXY: 'loopback',
      },
    });
    await createNode(t.dataSource, { name: 'IPW node', nodeGroup: 0 });
    await refreshCatalog(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts fetches and distinct IPs into rss_count / rss_ips_count; the third IP warns', async () => {
    const user = await subscribe(t);
    await namesFrom(t, user, '198.51.100.1');
    await namesFrom(t, user, '198.51.100.1');
    await namesFrom(t, user, '198.51.100.2');
    let row = await userRow(t, user.id);
    expect(row).toMatchObject({ rssCount: 3, rssIpsCount: 2, warming: null });
    expect(await namesFrom(t, user, '198.51.100.3')).toContain('IPW node');
    row = await userRow(t, user.id);
    expect(row).toMatchObject({ rssCount: 4, rssIpsCount: 3, enable: 1 });
    expect(row.warming).toMatch(
      /3 IP addresses .* more than 2 allowed: warning/,
    );
  });
});

describe('subscription IP threshold: disable (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SUB_MAX_IPS_PER_DAY: '2',
        SUB_IP_ACTION: 'disable',
        TRUST_PROXY: 'loopback',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the fetch past the threshold suspends the account: placeholder, enable = 0, gone from node lists', async () => {
    const node = await createNode(t.dataSource, { name: 'IPD node' });
    await refreshCatalog(t);
    const user = await subscribe(t);
    const served = async () =>
      (
        (
          await t
            .http()
            .get('/mod_mu/users')
            .query(muQuery(node.id))
            .expect(200)
        ).body.data as { id: number }[]
      ).map((u) => u.id);
    expect(await served()).toContain(user.id);
    expect(await namesFrom(t, user, '203.0.113.1')).toEqual(['IPD node']);
    expect(await namesFrom(t, user, '203.0.113.2')).toEqual(['IPD node']);
    expect(await namesFrom(t, user, '203.0.113.3')).toEqual([
      'Account disabled — see localhost:3000',
    ]);
    const row = await userRow(t, user.id);
    expect(row.enable).toBe(0);
    expect(row.warming).toMatch(/more than 2 allowed: account disabled/);
    expect(await served()).not.toContain(user.id);
    // A known IP after that: still the placeholder (the account stays suspended).
    expect(await namesFrom(t, user, '203.0.113.1')).toEqual([
      'Account disabled — see localhost:3000',
    ]);
  });
});

describe('subscription rate limit per token (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { THROTTLE_SUB_LIMIT: '3', TRUST_PROXY: 'loopback' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 past THROTTLE_SUB_LIMIT fetches of one token, whatever the route or IP; other tokens are unaffected', async () => {
    const user = await subscribe(t);
    const other = await subscribe(t);
    await t
      .http()
      .get(user.path)
      .set('X-Forwarded-For', '192.0.2.1')
      .expect(200);
    await t
      .http()
      .get(`${user.path}/clash`)
      .set('X-Forwarded-For', '192.0.2.2')
      .expect(200);
    await t
      .http()
      .head(user.path)
      .set('X-Forwarded-For', '192.0.2.3')
      .expect(200);
    const limited = await t
      .http()
      .get(`${user.path}/singbox`)
      .set('X-Forwarded-For', '192.0.2.4')
      .expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    await t.http().get(other.path).expect(200);
  });
});

describe('subscription cache follows purchases and admin edits (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signUpAdmin>>;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a node an admin creates, edits or disables shows at once in cached subscriptions', async () => {
    const group = freshGroup();
    const user = await subscribe(t, { nodeGroup: group });
    await createNode(t.dataSource, { name: 'CA first', nodeGroup: group });
    await refreshCatalog(t);
    expect(await namesFrom(t, user)).toEqual(['CA first']);
    // Cached: a change behind the app's back (no event) is not seen yet...
    await t.dataSource
      .getRepository(SsNode)
      .update({ name: 'CA first' }, { name: 'CA quiet rename' });
    expect(await namesFrom(t, user)).toEqual(['CA first']);
    const created = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send({
        name: 'CA added',
        server: 'added.example.com',
        sort: 11,
        node_group: group,
        custom_config: {
          offset_port_node: '443',
          network: 'tcp',
          security: 'tls',
        },
      })
      .expect(201);
    // ...an admin's edit is, with everything since.
    expect(await namesFrom(t, user)).toEqual(['CA quiet rename', 'CA added']);
    await t
      .http()
      .patch(`${API}/admin/nodes/${created.body.data.id}`)
      .set(admin.auth)
      .send({ name: 'CA renamed', traffic_rate: 2 })
      .expect(200);
    expect(await namesFrom(t, user)).toEqual([
      'CA quiet rename',
      'CA renamed [x2]',
    ]);
    await t
      .http()
      .post(`${API}/admin/nodes/${created.body.data.id}/disable`)
      .set(admin.auth)
      .expect(200);
    expect(await namesFrom(t, user)).toEqual(['CA quiet rename']);
  });

  it('an admin edit that puts the user over quota shows the placeholder at once; reset-traffic brings the nodes back', async () => {
    const group = freshGroup();
    await createNode(t.dataSource, { name: 'CQ node', nodeGroup: group });
    await refreshCatalog(t);
    const user = await subscribe(t, { nodeGroup: group, u: 3 * GB, d: 0 });
    expect(await namesFrom(t, user)).toEqual(['CQ node']);
    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ transfer_enable: 2 * GB })
      .expect(200);
    expect(await namesFrom(t, user)).toEqual([
      'Traffic used up — top up at localhost:3000',
    ]);
    await t
      .http()
      .post(`${API}/admin/users/${user.id}/reset-traffic`)
      .set(admin.auth)
      .expect(200);
    expect(await namesFrom(t, user)).toEqual(['CQ node']);
  });

  it('a purchase that renews an expired account and raises the level shows the level-1 nodes at once', async () => {
    const group = freshGroup();
    await createNode(t.dataSource, {
      name: 'CP level 1',
      nodeGroup: group,
      nodeClass: 1,
    });
    await createNode(t.dataSource, { name: 'CP level 0', nodeGroup: group });
    await refreshCatalog(t);
    const user = await subscribe(t, {
      nodeGroup: group,
      expireIn: daysFromNow(-1),
    });
    expect(await namesFrom(t, user)).toEqual([
      'Expired — renew at localhost:3000',
    ]);
    const plan = await createPlan(t, { price: '5.00' });
    await giveMoney(t, user.id, 500);
    await t
      .http()
      .post(`${API}/user/buy`)
      .set(user.auth)
      .send({ shop_id: plan.id })
      .expect(200);
    expect(await namesFrom(t, user)).toEqual(['CP level 1', 'CP level 0']);
  });

  it('a user reading another format or filter is not served the first one from the cache', async () => {
    const group = freshGroup();
    await createNode(t.dataSource, { name: 'CF vmess', nodeGroup: group });
    await createNode(t.dataSource, {
      name: 'CF trojan',
      nodeGroup: group,
      sort: 14,
      customConfig: JSON.stringify({
        offset_port_node: '443',
        security: 'tls',
      }),
    });
    await refreshCatalog(t);
    const user = await subscribe(t, { nodeGroup: group });
    expect(await namesFrom(t, user)).toEqual(['CF vmess', 'CF trojan']);
    const trojan = await t
      .http()
      .get(`${user.path}/clash`)
      .query({ types: 'trojan' })
      .responseType('blob');
    expect(profileNames('clash', bodyText(trojan))).toEqual(['CF trojan']);
    expect(await namesFrom(t, user)).toEqual(['CF vmess', 'CF trojan']);
  });
});

describe('subscription across two app instances sharing the database and Redis (e2e)', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await createTestApp();
    second = await createTestApp({ reuseDatabase: true });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  itWithRedis(
    'a reset on one instance is a 404 on the other at once',
    async () => {
      const user = await subscribe(first);
      await second.http().get(user.path).expect(200);
      await second.http().get(user.path).expect(200);
      const cache = second.app.get(SubscriptionCacheService);
      expect(await cache.tokenOwner(user.token)).toBe(user.id);
      const res = await first
        .http()
        .post(`${API}/user/subscription/reset`)
        .set(user.auth)
        .expect(200);
      // The lookup the second instance cached is gone from the shared store, not only checked.
      expect(await cache.tokenOwner(user.token)).toBeUndefined();
      await second.http().get(user.path).expect(404);
      await second.http().get(`${user.path}/clash`).expect(404);
      await second.http().get(`/sub/${res.body.data.token}`).expect(200);
    },
  );

  itWithRedis(
    'a node an admin adds on one instance shows on the other at once',
    async () => {
      const admin = await signUpAdmin(first);
      const group = freshGroup();
      const user = await subscribe(first, { nodeGroup: group });
      await createNode(first.dataSource, {
        name: 'R2 first',
        nodeGroup: group,
      });
      await refreshCatalog(first);
      expect(await namesFrom(second, user)).toEqual(['R2 first']);
      await first
        .http()
        .post(`${API}/admin/nodes`)
        .set(admin.auth)
        .send({
          name: 'R2 added',
          server: 'r2.example.com',
          sort: 11,
          node_group: group,
          custom_config: {
            offset_port_node: '443',
            network: 'tcp',
            security: 'tls',
          },
        })
        .expect(201);
      expect(await namesFrom(second, user)).toEqual(['R2 first', 'R2 added']);
    },
  );
});

describe('subscription without a database (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('answers 503 SUBSCRIPTION_UNAVAILABLE, never a 500 or a stack trace', async () => {
    const user = await subscribe(t);
    await t.http().get(user.path).expect(200);
    await t.dataSource.destroy();
    const res = await t.http().get(user.path);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      ret: 0,
      msg: 'Subscriptions are temporarily unavailable, retry later',
      code: 'SUBSCRIPTION_UNAVAILABLE',
    });
    const unknown = await t.http().get('/sub/never-issued-token-000000');
    expect(unknown.status).toBe(503);
  });
});

describe('subscription with Redis configured but unreachable (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves from the database (counters in memory, nothing cached), resets still 404 the old token', async () => {
    await createNode(t.dataSource, { name: 'RD node' });
    await refreshCatalog(t);
    const user = await subscribe(t);
    for (let i = 0; i < 2; i++)
      expect(await namesFrom(t, user, '198.51.100.9')).toContain('RD node');
    expect(await userRow(t, user.id)).toMatchObject({
      rssCount: 2,
      rssIpsCount: 1,
    });
    await t
      .http()
      .post(`${API}/user/subscription/reset`)
      .set(user.auth)
      .expect(200);
    await t.http().get(user.path).expect(404);
  });
});
