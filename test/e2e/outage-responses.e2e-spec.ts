import type { QueryRunner } from 'typeorm';
import {
  createNode,
  createNodeUser,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import {
  createOrder,
  EPAY_ENV,
  epayNotify,
} from '../factories/payment.factory.js';
import { createPlan } from '../factories/shop.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 6: while the database is unreachable, authenticated routes answered 401 (clients sign
// their users out) and others 500. Every statement fails here as mysql2 fails to connect to a
// stopped server (ECONNREFUSED), on both drivers; test/e2e/fault-mariadb kills a real server.
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });

const CUT = ['connect', 'query', 'startTransaction'] as const;
/** mysql2's callback pool methods (callback last). */
const POOL_CUT = ['query', 'getConnection'] as const;
type Saved = [QueryRunner, (PropertyDescriptor | undefined)[]];

describe('database unreachable: 503 with Retry-After, never 401 or 500 (e2e)', () => {
  let t: TestApp;
  let user: SignedInUser;
  let admin: SignedInUser;
  let planId: number;
  let nodeId: number;
  let order: Awaited<ReturnType<typeof createOrder>>;
  let restore: (() => void) | null = null;

  beforeAll(async () => {
    t = await createTestApp({ env: EPAY_ENV });
    user = await signUp(t);
    admin = await signUpAdmin(t);
    planId = (await createPlan(t)).id;
    nodeId = (await createNode(t.dataSource)).id;
    await createNodeUser(t.dataSource);
    order = await createOrder(t, user, '12.00');
  });
  afterEach(() => {
    restore?.();
    restore = null;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** From now on every query runner of the app fails to reach the database. */
  function cutDatabase(): void {
    const ds = t.dataSource;
    const original = Object.getOwnPropertyDescriptor(ds, 'createQueryRunner');
    const create = ds.createQueryRunner.bind(ds);
    // SQLite shares one runner (whose query the serializer wraps): its own properties are
    // remembered and put back afterwards.
    const patched: Saved[] = [];
    ds.createQueryRunner = (mode) => {
      const runner: QueryRunner = create(mode);
      if (!patched.some(([r]) => r === runner)) {
        patched.push([
          runner,
          CUT.map((k) => Object.getOwnPropertyDescriptor(runner, k)),
        ]);
        const fail = () => Promise.reject(refused());
        for (const k of CUT)
          Object.defineProperty(runner, k, {
            value: fail,
            configurable: true,
            writable: true,
          });
      }
      return runner;
    };
    // The hot paths' raw statements (poolQuery, poolTransaction) take the driver's mysql2 pool
    // directly: it refuses too.
    const pool = (ds.driver as { pool?: Record<string, unknown> }).pool;
    const poolSaved = POOL_CUT.map((k) =>
      pool ? Object.getOwnPropertyDescriptor(pool, k) : undefined,
    );
    if (pool)
      for (const k of POOL_CUT)
        Object.defineProperty(pool, k, {
          value: (...args: unknown[]) => {
            const done = args[args.length - 1] as (err: Error) => void;
            process.nextTick(() => done(refused()));
          },
          configurable: true,
          writable: true,
        });
    restore = () => {
      if (pool)
        POOL_CUT.forEach((k, i) => {
          const descriptor = poolSaved[i];
          if (descriptor) Object.defineProperty(pool, k, descriptor);
          else Reflect.deleteProperty(pool, k);
        });
      if (original) Object.defineProperty(ds, 'createQueryRunner', original);
      else Reflect.deleteProperty(ds, 'createQueryRunner');
      for (const [runner, saved] of patched)
        CUT.forEach((k, i) => {
          const descriptor = saved[i];
          if (descriptor) Object.defineProperty(runner, k, descriptor);
          else Reflect.deleteProperty(runner, k);
        });
    };
  }

  const cases: [
    string,
    () => ReturnType<ReturnType<TestApp['http']>['get']>,
  ][] = [
    [
      'GET /user/info (JWT strategy looks the user up)',
      () => t.http().get(`${API}/user/info`).set(user.auth),
    ],
    [
      'POST /user/buy',
      () =>
        t
          .http()
          .post(`${API}/user/buy`)
          .set(user.auth)
          .send({ shop_id: planId }),
    ],
    [
      'POST /payment/create',
      () =>
        t
          .http()
          .post(`${API}/payment/create`)
          .set(user.auth)
          .send({ total: 10, gateway: 'alipay' }),
    ],
    [
      'GET /payment/orders',
      () => t.http().get(`${API}/payment/orders`).set(user.auth),
    ],
    [
      'GET /admin/users',
      () => t.http().get(`${API}/admin/users`).set(admin.auth),
    ],
    [
      'POST /auth/login',
      () =>
        t
          .http()
          .post(`${API}/auth/login`)
          .send({ email: user.email, password: user.password }),
    ],
    [
      'POST /auth/register',
      () =>
        t
          .http()
          .post(`${API}/auth/register`)
          .send({ email: 'outage@example.com', password: 'long-enough-pw' }),
    ],
    ['GET /user/shop', () => t.http().get(`${API}/user/shop`).set(user.auth)],
    [
      'GET /node/users (seed)',
      () =>
        t
          .http()
          .get(`${API}/node/users`)
          .query({ node_id: nodeId })
          .set({ Key: MU_KEY }),
    ],
  ];

  it.each(cases)(
    '%s → 503 SERVICE_UNAVAILABLE with Retry-After',
    async (_, send) => {
      cutDatabase();
      const res = await send();
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ ret: 0, code: 'SERVICE_UNAVAILABLE' });
    },
  );

  it('SSPanel agents: 503 in their shape (traffic report and user list)', async () => {
    cutDatabase();
    for (const res of [
      await t.http().get('/mod_mu/users').query(muQuery(nodeId)),
      await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(nodeId))
        .send({ data: [{ user_id: user.id, u: 1, d: 1 }] }),
    ]) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({ ret: 0, msg: expect.any(String) });
    }
  });

  it('a gateway notify keeps its `fail` body with a 503, so the gateway retries', async () => {
    cutDatabase();
    const res = await t
      .http()
      .get(`${API}/payment/notify/alipay`)
      .query(epayNotify(order));
    expect(res.status).toBe(503);
    expect(res.text).toBe('fail');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('a bad or missing token is still 401 during the outage', async () => {
    cutDatabase();
    await t
      .http()
      .get(`${API}/user/info`)
      .set({ Authorization: `${user.auth.Authorization}x` })
      .expect(401);
    await t.http().get(`${API}/user/info`).expect(401);
  });

  it('once the database is back the same requests succeed (and the notify credits)', async () => {
    await t.http().get(`${API}/user/info`).set(user.auth).expect(200);
    const res = await t
      .http()
      .get(`${API}/payment/notify/alipay`)
      .query(epayNotify(order))
      .expect(200);
    expect(res.text).toBe('success');
  });
});
