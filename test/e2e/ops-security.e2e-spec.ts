import { RedisService } from '../../src/modules/redis/redis.service.js';
import { muQuery } from '../factories/node.factory.js';
import { signUp, uniqueEmail } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itWithRedis } from '../utils/modes.js';

describe('ops: hardening (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CORS_ORIGINS: 'https://panel.example.com,https://admin.example.com',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends helmet security headers and no X-Powered-By', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain(
      "default-src 'self'",
    );
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers).not.toHaveProperty('x-powered-by');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('allows CORS only for the configured origins', async () => {
    const ok = await t
      .http()
      .options(`${API}/auth/login`)
      .set('Origin', 'https://admin.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,authorization');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(
      'https://admin.example.com',
    );
    const evil = await t
      .http()
      .get('/health')
      .set('Origin', 'https://evil.example.net')
      .expect(200);
    expect(evil.headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('a 2 MB JSON body → 413 in the envelope; node routes accept more than 1 MB', async () => {
    const big = JSON.stringify({
      email: 'a@b.c',
      password: 'x'.repeat(2 * 1024 * 1024),
    });
    const res = await t
      .http()
      .post(`${API}/auth/register`)
      .set('Content-Type', 'application/json')
      .send(big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      ret: 0,
      msg: 'Request body too large',
      code: 'PAYLOAD_TOO_LARGE',
    });
    // 1.5 MB to a node route passes the body limit (NODE_BODY_LIMIT 4mb) and reaches the key
    // check: the exact 401 of a missing key, not a 413 (limit) nor a 500 (anything else).
    const node = await t
      .http()
      .post('/mod_mu/users/traffic')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ data: 'x'.repeat(1.5 * 1024 * 1024) }));
    expect(node.status).toBe(401);
    expect(node.body).toEqual({ ret: 0, msg: 'Invalid request.' });
  });
});

describe('ops: rate limits (e2e)', () => {
  it('login: 429 RATE_LIMITED after THROTTLE_AUTH_LIMIT attempts from one address, other routes unaffected', async () => {
    const t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '3' } });
    try {
      const user = await signUp(t); // one register + one login
      const attempt = () =>
        t
          .http()
          .post(`${API}/auth/login`)
          .send({ email: user.email, password: 'wrong-password' });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ ret: 0, code: 'RATE_LIMITED' });
      expect(Number(limited.headers['retry-after-auth'])).toBeGreaterThan(0);
      // Even the right password is refused while blocked.
      await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: user.password })
        .expect(429);
      // Register has its own budget (1 used by signUp); unthrottled routes are untouched.
      await t
        .http()
        .post(`${API}/auth/register`)
        .send({ email: uniqueEmail(), password: 'long-enough-pw' })
        .expect(201);
      for (let i = 0; i < 5; i++)
        await t.http().get(`${API}/user/info`).set(user.auth).expect(200);
    } finally {
      await t.close();
    }
  });

  itWithRedis(
    'login: the counters live in Redis under the app key prefix, so two replicas share one budget',
    async () => {
      const first = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '3' } });
      const second = await createTestApp({
        env: { THROTTLE_AUTH_LIMIT: '3' },
        reuseDatabase: true,
      });
      try {
        const email = uniqueEmail('shared');
        const attempt = (app: TestApp) =>
          app
            .http()
            .post(`${API}/auth/login`)
            .send({ email, password: 'wrong-password' });
        expect((await attempt(first)).status).toBe(401);
        expect((await attempt(second)).status).toBe(401);
        expect((await attempt(first)).status).toBe(401);
        // The fourth attempt reaches the other replica: its budget is the shared one.
        expect((await attempt(second)).status).toBe(429);

        const redis = first.app.get(RedisService);
        const keys = await redis.client!.keys(
          `${redis.keyPrefix}throttle:auth:*`,
        );
        expect(keys.length).toBeGreaterThanOrEqual(1);
      } finally {
        await second.app.close();
        await first.close();
      }
    },
  );

  it('payment create: limited per user, so another user is not affected', async () => {
    const t = await createTestApp({ env: { THROTTLE_PAYMENT_LIMIT: '2' } });
    try {
      const [alice, bob] = [await signUp(t), await signUp(t)];
      const create = (auth: { Authorization: string }) =>
        t
          .http()
          .post(`${API}/payment/create`)
          .set(auth)
          .send({ total: 10, gateway: 'manual' });
      expect((await create(alice.auth)).status).toBe(201);
      expect((await create(alice.auth)).status).toBe(201);
      const limited = await create(alice.auth);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ ret: 0, code: 'RATE_LIMITED' });
      expect((await create(bob.auth)).status).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('node routes: a budget per node (per replica, in memory), answered in the SSPanel shape', async () => {
    const t = await createTestApp({ env: { THROTTLE_NODE_LIMIT: '3' } });
    try {
      const ping = (nodeId: number) =>
        t.http().get('/mod_mu/func/ping').query(muQuery(nodeId));
      for (let i = 0; i < 3; i++) await ping(1).expect(200);
      const limited = await ping(1);
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ ret: 0, msg: 'Too many requests' });
      await ping(2).expect(200);
    } finally {
      await t.close();
    }
  });

  itWithRedis(
    'node routes: the budget never touches Redis (per replica by decision, README Hardening)',
    async () => {
      const t = await createTestApp({ env: { THROTTLE_NODE_LIMIT: '3' } });
      try {
        for (let i = 0; i < 4; i++)
          await t.http().get('/mod_mu/func/ping').query(muQuery(1));
        // The auth throttle does write here (login), so an empty node list is not a dead Redis.
        await t
          .http()
          .post(`${API}/auth/login`)
          .send({ email: uniqueEmail('ghost'), password: 'wrong-password' })
          .expect(401);
        const redis = t.app.get(RedisService);
        expect(
          await redis.client!.keys(`${redis.keyPrefix}throttle:auth:*`),
        ).not.toEqual([]);
        expect(
          await redis.client!.keys(`${redis.keyPrefix}throttle:node:*`),
        ).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it('concurrent logins cannot slip past the limit', async () => {
    const t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '5' } });
    try {
      const replies = await Promise.all(
        Array.from({ length: 12 }, () =>
          t
            .http()
            .post(`${API}/auth/login`)
            .send({ email: uniqueEmail('ghost'), password: 'wrong-password' }),
        ),
      );
      const statuses = replies.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    } finally {
      await t.close();
    }
  });
});
