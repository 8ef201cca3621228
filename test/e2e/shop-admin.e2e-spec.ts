import { Coupon, Shop } from '../../src/database/entities/index.js';
import { createPlan, giveMoney } from '../factories/shop.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('shop admin (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const plans = `${API}/admin/shop/plans`;
  const coupons = `${API}/admin/shop/coupons`;
  const planCount = () => t.dataSource.getRepository(Shop).count();
  const validPlan = {
    name: 'Monthly',
    price: '19.90',
    content: {
      traffic: 200,
      reset_traffic: true,
      class: 2,
      class_expire: 30,
      expire_in: 30,
    },
    auto_renew: 30,
  };

  it('refuses users without is_admin', async () => {
    const user = await signUp(t);
    const res = await t.http().get(plans).set(user.auth).expect(403);
    expect(res.body).toMatchObject({ ret: 0, code: 'FORBIDDEN' });
    await t.http().post(plans).set(user.auth).send(validPlan).expect(403);
  });

  it('creates a plan, storing legacy aliases under their canonical names', async () => {
    const res = await t
      .http()
      .post(plans)
      .set(admin.auth)
      .send({
        name: 'Legacy',
        price: 12.5,
        content: { bandwidth: 50, expire: 7, speedlimit: 20, connector: 3 },
      })
      .expect(201);
    expect(res.body.data).toMatchObject({
      name: 'Legacy',
      price: 12.5,
      status: 1,
      auto_renew: 0,
      content: { traffic: 50, expire_in: 7, speedlimit: 20, connector: 3 },
    });
    const row = await t.dataSource
      .getRepository(Shop)
      .findOneByOrFail({ id: res.body.data.id });
    expect(JSON.parse(row.content)).toEqual({
      traffic: 50,
      expire_in: 7,
      speedlimit: 20,
      connector: 3,
    });
    expect(row.price).toBe('12.50');
  });

  it.each([
    ['an unknown key', { traffic: 1, colour: 'red' }, 'content.colour'],
    ['negative traffic', { traffic: -1 }, 'content.traffic'],
    ['traffic as a string', { traffic: '100' }, 'content.traffic'],
    ['a fractional level', { class: 1.5, class_expire: 30 }, 'content.class'],
    ['a level without days', { class: 2 }, 'content.class_expire'],
    ['negative days', { expire_in: -30 }, 'content.expire_in'],
    [
      'reset_traffic not a boolean',
      { traffic: 1, reset_traffic: 'yes' },
      'content.reset_traffic',
    ],
    [
      'both traffic and bandwidth',
      { traffic: 1, bandwidth: 2 },
      'content.bandwidth',
    ],
    ['a negative device limit', { connector: -1 }, 'content.connector'],
    ['an empty object', {}, 'content'],
    ['a JSON string instead of an object', '{"traffic":1}', 'content'],
  ])('a plan with %s cannot be saved', async (_, content, field) => {
    const before = await planCount();
    const res = await t
      .http()
      .post(plans)
      .set(admin.auth)
      .send({ ...validPlan, content })
      .expect(400);
    expect(res.body).toMatchObject({ ret: 0, code: 'VALIDATION_FAILED' });
    expect(Object.keys(res.body.errors)).toContain(field);
    expect(await planCount()).toBe(before);
  });

  it.each([
    [{ price: '-1.00' }, 'price'],
    [{ price: '1.234' }, 'price'],
    [{ name: '' }, 'name'],
    [{ status: 2 }, 'status'],
  ])('plan field %j is refused', async (over, field) => {
    const res = await t
      .http()
      .post(plans)
      .set(admin.auth)
      .send({ ...validPlan, ...over })
      .expect(400);
    expect(Object.keys(res.body.errors)).toContain(field);
  });

  it('updates a plan; malformed content leaves the row unchanged', async () => {
    const created = (
      await t.http().post(plans).set(admin.auth).send(validPlan).expect(201)
    ).body.data;
    const bad = await t
      .http()
      .patch(`${plans}/${created.id}`)
      .set(admin.auth)
      .send({ price: '5.00', content: { traffic: 'lots' } })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const row = await t.dataSource
      .getRepository(Shop)
      .findOneByOrFail({ id: created.id });
    expect(row.price).toBe('19.90');
    const ok = await t
      .http()
      .patch(`${plans}/${created.id}`)
      .set(admin.auth)
      .send({ price: '5.00', content: { traffic: 10 } })
      .expect(200);
    expect(ok.body.data).toMatchObject({
      price: 5,
      content: { traffic: 10 },
      name: 'Monthly',
    });
    await t
      .http()
      .patch(`${plans}/999999`)
      .set(admin.auth)
      .send({ name: 'x' })
      .expect(404);
  });

  it('a disabled plan leaves the shop and cannot be bought, but stays listed for admins', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 10_000);
    const created = (
      await t.http().post(plans).set(admin.auth).send(validPlan).expect(201)
    ).body.data;
    const disabled = await t
      .http()
      .post(`${plans}/${created.id}/disable`)
      .set(admin.auth)
      .expect(201);
    expect(disabled.body.data.status).toBe(0);
    const shop = await t
      .http()
      .get(`${API}/user/shop`)
      .set(user.auth)
      .expect(200);
    expect(
      shop.body.data.packages.map((p: { id: number }) => p.id),
    ).not.toContain(created.id);
    const buy = await t
      .http()
      .post(`${API}/user/buy`)
      .set(user.auth)
      .send({ shop_id: created.id })
      .expect(409);
    expect(buy.body.code).toBe('SHOP_NOT_AVAILABLE');
    const all = await t.http().get(plans).set(admin.auth).expect(200);
    expect(all.body.data.packages.map((p: { id: number }) => p.id)).toContain(
      created.id,
    );
  });

  it('coupons: create, refuse a duplicate code, list, update, delete', async () => {
    const plan = await createPlan(t);
    const body = {
      code: 'SPRING-25',
      onetime: 1,
      expire: 2_000_000_000,
      shop: [plan.id],
      credit: 25,
      total_limit: 100,
    };
    const created = await t
      .http()
      .post(coupons)
      .set(admin.auth)
      .send(body)
      .expect(201);
    expect(created.body.data).toMatchObject({
      ...body,
      used: 0,
      id: expect.any(Number),
    });
    const id = created.body.data.id as number;
    expect(
      (await t.dataSource.getRepository(Coupon).findOneByOrFail({ id })).shop,
    ).toBe(String(plan.id));

    const dup = await t
      .http()
      .post(coupons)
      .set(admin.auth)
      .send(body)
      .expect(409);
    expect(dup.body.code).toBe('COUPON_CODE_TAKEN');

    const list = await t.http().get(coupons).set(admin.auth).expect(200);
    expect(list.body.data.coupons.map((c: { id: number }) => c.id)).toContain(
      id,
    );

    const updated = await t
      .http()
      .patch(`${coupons}/${id}`)
      .set(admin.auth)
      .send({ credit: 30, shop: [] })
      .expect(200);
    expect(updated.body.data).toMatchObject({ credit: 30, shop: [] });

    await t.http().delete(`${coupons}/${id}`).set(admin.auth).expect(200);
    await t.http().delete(`${coupons}/${id}`).set(admin.auth).expect(404);
    await t
      .http()
      .patch(`${coupons}/${id}`)
      .set(admin.auth)
      .send({ credit: 1 })
      .expect(404);
  });

  it.each([
    [{ credit: 101 }, 'credit'],
    [{ credit: -1 }, 'credit'],
    [{ code: 'has space' }, 'code'],
    [{ shop: ['a'] }, 'shop'],
    [{ onetime: -1 }, 'onetime'],
    [{ used: 5 }, 'used'],
  ])('coupon field %j is refused', async (over, field) => {
    const res = await t
      .http()
      .post(coupons)
      .set(admin.auth)
      .send({
        code: 'X1',
        onetime: 1,
        expire: 2_000_000_000,
        credit: 10,
        ...over,
      })
      .expect(400);
    expect(Object.keys(res.body.errors)).toContain(field);
  });
});
