import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { createNode, muQuery } from '../factories/node.factory.js';
import { EPAY_ENV, moneyOf } from '../factories/payment.factory.js';
import { giveMoney } from '../factories/shop.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
  uniqueEmail,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 7, the smaller findings, each reproduced against main first.
describe('hardening: the smaller findings (e2e)', () => {
  let t: TestApp;
  let user: SignedInUser;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp({ env: EPAY_ENV });
    user = await signUp(t);
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  it.each([1e-7, 1e-20, 12.3e-7, 5e-324])(
    '{"total": %d} on /payment/create → 400 naming total (was a 500)',
    async (total) => {
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .set('content-type', 'application/json')
        .send(`{"total":${String(total)},"gateway":"alipay"}`);
      expect(res.status).toBe(400);
      expect(res.body.errors).toHaveProperty('total');
    },
  );

  it('an admin credit past DECIMAL(12,2) → 409 BALANCE_OUT_OF_RANGE, balance and ledger unchanged', async () => {
    const rich = await signUp(t);
    await giveMoney(t, rich.id, 999_999_999_000); // 9,999,999,990.00
    const res = await t
      .http()
      .post(`${API}/admin/users/${rich.id}/balance`)
      .set(admin.auth)
      .send({ amount: '10.00', reason: 'overflow check' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('BALANCE_OUT_OF_RANGE');
    expect(await moneyOf(t.dataSource, rich.id)).toBe('9999999990.00');
    // Up to the last cent still works.
    await t
      .http()
      .post(`${API}/admin/users/${rich.id}/balance`)
      .set(admin.auth)
      .send({ amount: '9.99', reason: 'to the ceiling' })
      .expect(200);
    expect(await moneyOf(t.dataSource, rich.id)).toBe('9999999999.99');
  });

  it('passwords longer than 72 bytes (bcrypt ignores the rest) → 400, counted in UTF-8 bytes', async () => {
    const register = (password: string) =>
      t
        .http()
        .post(`${API}/auth/register`)
        .send({ email: uniqueEmail('long'), password });
    const long = await register('a'.repeat(73));
    expect(long.status).toBe(400);
    expect(long.body.errors).toHaveProperty('password');
    // 25 three-byte characters are 75 bytes.
    expect((await register('密'.repeat(25))).status).toBe(400);
    expect((await register('a'.repeat(72))).status).toBe(201);
    // Two passwords sharing their first 72 bytes no longer collide: the longer cannot be set.
  });

  it('no X-Powered-By on node routes either', async () => {
    const node = await createNode(t.dataSource);
    const res = await t.http().get('/mod_mu/users').query(muQuery(node.id));
    expect(res.status).toBe(200);
    expect(res.headers).not.toHaveProperty('x-powered-by');
    const seed = await t
      .http()
      .get(`${API}/node/users`)
      .set({ Key: muQuery().key as string });
    expect(seed.headers).not.toHaveProperty('x-powered-by');
  });

  it.each(['/api/v2/whatever', '/nope', '/app/api/v1/x', '/mod_mux'])(
    'unknown path %s → the JSON 404 envelope, not an HTML page',
    async (path) => {
      for (const method of ['get', 'post', 'delete'] as const) {
        const res = await t.http()[method](path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.body).toMatchObject({ ret: 0, code: 'NOT_FOUND' });
      }
    },
  );

  it('/payment/orders takes limit 1-100 (default 20), like every list', async () => {
    for (const limit of [0, 101, 200])
      await t
        .http()
        .get(`${API}/payment/orders`)
        .query({ limit })
        .set(user.auth)
        .expect(400);
    await t
      .http()
      .get(`${API}/payment/orders`)
      .query({ limit: 100 })
      .set(user.auth)
      .expect(200);
  });
});
