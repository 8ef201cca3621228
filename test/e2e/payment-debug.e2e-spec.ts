import { Paylist, UserMoneyLog } from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { createOrder, moneyOf } from '../factories/payment.factory.js';
import { signUp, signUpAdmin } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('payment debug confirm (e2e, PAYMENT_DEBUG=true, no epay config)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_DEBUG: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  const confirm = (auth: { Authorization: string }, orderId: unknown) =>
    t
      .http()
      .post(`${API}/payment/debug/confirm`)
      .set(auth)
      .send({ order_id: orderId });

  it('credits the owner once through the crediting path; a second confirm is 409', async () => {
    const me = await signUp(t);
    const order = await createOrder(t, me, '15.50', 'manual');
    const res = await confirm(me.auth, order.order_id).expect(200);
    expect(res.body).toEqual({
      ret: 1,
      msg: 'ok',
      data: { order_id: order.order_id, amount: 15.5, new_balance: 15.5 },
    });
    const row = await t.dataSource
      .getRepository(Paylist)
      .findOneByOrFail({ id: order.order_id });
    expect(row).toMatchObject({ status: 1, gateway: 'manual' });
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: me.id, reason: 'topup' }),
    ).toBe(1);

    const again = await confirm(me.auth, order.order_id).expect(409);
    expect(again.body.code).toBe('ORDER_ALREADY_PAID');
    expect(await moneyOf(t.dataSource, me.id)).toBe('15.50');
  });

  it("one user cannot see or confirm another user's order (404); an admin can confirm it", async () => {
    const [owner, other] = [await signUp(t), await signUp(t)];
    const admin = await signUpAdmin(t);
    const order = await createOrder(t, owner, 8, 'manual');

    const denied = await confirm(other.auth, order.order_id).expect(404);
    expect(denied.body.code).toBe('ORDER_NOT_FOUND');
    await t
      .http()
      .get(`${API}/payment/status/${order.order_id}`)
      .set(other.auth)
      .expect(404);
    expect(await moneyOf(t.dataSource, owner.id)).toBe('0.00');
    expect(await moneyOf(t.dataSource, other.id)).toBe('0.00');

    const byAdmin = await confirm(admin.auth, order.order_id).expect(200);
    expect(byAdmin.body.data).toMatchObject({ amount: 8, new_balance: 8 });
    expect(await moneyOf(t.dataSource, owner.id)).toBe('8.00');
    expect(await moneyOf(t.dataSource, admin.id)).toBe('0.00');
  });

  it('unknown order → 404, bad order_id → 400, no token → 401', async () => {
    const me = await signUp(t);
    await confirm(me.auth, 999_999).expect(404);
    await confirm(me.auth, 'x').expect(400);
    await confirm(me.auth, -1).expect(400);
    await t
      .http()
      .post(`${API}/payment/debug/confirm`)
      .send({ order_id: 1 })
      .expect(401);
  });

  it('without epay config only the manual gateway is enabled; asking for alipay is 400 listing it', async () => {
    const me = await signUp(t);
    const res = await t
      .http()
      .post(`${API}/payment/create`)
      .set(me.auth)
      .send({ total: 10, gateway: 'alipay' })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
    expect(res.body.errors.gateway).toBe('gateway must be one of: manual');
    const notify = await t
      .http()
      .get(`${API}/payment/notify/alipay`)
      .query({
        out_trade_no: 'x',
        money: '10.00',
        trade_status: 'TRADE_SUCCESS',
      })
      .expect(400);
    expect(notify.text).toBe('fail');
  });
});

describe('payment with every gateway disabled', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_MANUAL_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses to create an order and says no gateway is enabled', async () => {
    const me = await signUp(t);
    const res = await t
      .http()
      .post(`${API}/payment/create`)
      .set(me.auth)
      .send({ total: 10, gateway: 'manual' })
      .expect(400);
    expect(res.body.msg).toBe('no payment gateway is enabled');
  });
});
