import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import { createPlan } from '../factories/shop.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// Redis configured but unreachable (nothing listens on port 1): the app must start, report
// not-ready naming Redis, and keep serving from the database without the cache.
describe('ops: Redis down → degraded, not down (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/ready → 503 naming redis (database and migrations up); /health stays 200', async () => {
    const started = Date.now();
    const res = await t.http().get('/ready');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(Object.keys(res.body.error)).toEqual(['redis']);
    expect(res.body.error.redis.status).toBe('down');
    expect(res.body.info).toMatchObject({
      database: { status: 'up' },
      migrations: { status: 'up' },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    await t.http().get('/health').expect(200, { status: 'ok' });
  });

  it('register, login and user routes keep working', async () => {
    const user = await signUp(t);
    const info = await t
      .http()
      .get(`${API}/user/info`)
      .set(user.auth)
      .expect(200);
    expect(info.body.data.email).toBe(user.email);
  });

  it('node routes keep working without the cache', async () => {
    const node = await createNode(t.dataSource);
    const served = await createNodeUser(t.dataSource);
    await t.http().get('/mod_mu/func/ping').query(muQuery()).expect(200);
    for (let i = 0; i < 2; i++) {
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .expect(200);
      expect(res.body.ret).toBe(1);
      expect(res.body.data.map((u: { id: number }) => u.id)).toContain(
        served.id,
      );
    }
  });

  it('shop routes keep working without the cache', async () => {
    const plan = await createPlan(t, { name: 'Degraded plan' });
    const user = await signUp(t);
    const res = await t
      .http()
      .get(`${API}/user/shop`)
      .set(user.auth)
      .expect(200);
    expect(
      res.body.data.packages.find((p: { id: number }) => p.id === plan.id),
    ).toMatchObject({ id: plan.id, name: 'Degraded plan' });
  });
});

// Its own app (booted after the one above is closed): a second app in one file takes over the
// process-wide passport strategy, and closing it would break the first app's JWT checks.
describe('ops: Redis down → the rate limits still hold (e2e)', () => {
  it('the login rate limit still holds, counted in memory', async () => {
    const limited = await createTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:1', THROTTLE_AUTH_LIMIT: '3' },
    });
    try {
      const user = await signUp(limited); // one register + one login
      const attempt = () =>
        limited
          .http()
          .post(`${API}/auth/login`)
          .send({ email: user.email, password: 'wrong-password' });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ ret: 0, code: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });
});
