import {
  Payback,
  Paylist,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import {
  createOrder,
  moneyOf,
  setRefBy,
} from '../factories/payment.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('admin orders (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('marks a manual order paid once: balance, ledger and commission credited a single time', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const order = await createOrder(t, payer, '10.00', 'manual');

    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        t
          .http()
          .post(`${API}/admin/orders/${order.order_id}/mark-paid`)
          .set(admin.auth)
          .send({}),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.filter((r) => r.body.data.credited === true)).toHaveLength(
      1,
    );
    const again = await t
      .http()
      .post(`${API}/admin/orders/${order.order_id}/mark-paid`)
      .set(admin.auth)
      .send({})
      .expect(200);
    expect(again.body.data).toEqual({
      order_id: order.order_id,
      credited: false,
      new_balance: null,
    });

    expect(await moneyOf(t.dataSource, payer.id)).toBe('10.00');
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('2.00');
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: payer.id, reason: 'topup' }),
    ).toBe(1);
    expect(
      await t.dataSource
        .getRepository(Payback)
        .countBy({ paylistId: order.order_id }),
    ).toBe(1);
    const row = await t.dataSource
      .getRepository(Paylist)
      .findOneByOrFail({ id: order.order_id });
    expect(row).toMatchObject({ status: 1, gateway: 'manual' });
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  it("lists every user's orders with filters, bounded pagination", async () => {
    const user = await signUp(t);
    const a = await createOrder(t, user, '3.00', 'manual');
    await createOrder(t, user, '4.00', 'manual');
    await t
      .http()
      .post(`${API}/admin/orders/${a.order_id}/mark-paid`)
      .set(admin.auth)
      .send({})
      .expect(200);

    const mine = await t
      .http()
      .get(`${API}/admin/orders?user_id=${user.id}`)
      .set(admin.auth)
      .expect(200);
    expect(mine.body.data.count).toBe(2);
    const paid = await t
      .http()
      .get(`${API}/admin/orders?user_id=${user.id}&status=1`)
      .set(admin.auth)
      .expect(200);
    expect(paid.body.data.orders).toEqual([
      expect.objectContaining({
        id: a.order_id,
        status: 1,
        total: 3,
        user_id: user.id,
      }),
    ]);
    for (const q of ['limit=101', 'status=2', 'sort=id', 'user_id=abc']) {
      await t
        .http()
        .get(`${API}/admin/orders?${q}`)
        .set(admin.auth)
        .expect(400);
    }
  });

  it('unknown order → 404; a non-admin → 403 and nothing credited', async () => {
    await t
      .http()
      .post(`${API}/admin/orders/999999/mark-paid`)
      .set(admin.auth)
      .send({})
      .expect(404);
    const user = await signUp(t);
    const order = await createOrder(t, user, '5.00', 'manual');
    await t
      .http()
      .post(`${API}/admin/orders/${order.order_id}/mark-paid`)
      .set(user.auth)
      .send({})
      .expect(403);
    await t.http().get(`${API}/admin/orders`).set(user.auth).expect(403);
    expect(await moneyOf(t.dataSource, user.id)).toBe('0.00');
  });
});
