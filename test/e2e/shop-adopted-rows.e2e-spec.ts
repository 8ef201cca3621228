import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import {
  createCoupon,
  createPlan,
  giveMoney,
  purchaseFootprint,
} from '../factories/shop.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

/**
 * Rows an adopted SSPanel database may hold but the admin routes refuse: a purchase must never
 * turn them into money for the buyer (a negative price or a coupon over 100 % once credited the
 * buyer on every "purchase" while the ledger check still agreed).
 */
describe('shop: bad legacy rows never move money (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['a negative plan price', { price: '-5.00' }, null, 'PLAN_PRICE_INVALID'],
    ['a coupon with credit 150', { price: '10.00' }, 150, 'COUPON_INVALID'],
    ['a coupon with credit -20', { price: '10.00' }, -20, 'COUPON_INVALID'],
  ] as const)(
    '%s: 409, nothing changes, the ledger stays consistent',
    async (_case, plan, credit, code) => {
      const user = await signUp(t);
      await giveMoney(t, user.id, 2_000);
      const shop = await createPlan(t, plan);
      const coupon =
        credit === null ? undefined : await createCoupon(t, { credit });
      const before = await purchaseFootprint(t, user.id, coupon?.id);
      const res = await t
        .http()
        .post(`${API}/user/buy`)
        .set(user.auth)
        .send({ shop_id: shop.id, ...(coupon && { coupon: coupon.code }) });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe(code);
      expect(await purchaseFootprint(t, user.id, coupon?.id)).toEqual(before);
      expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
    },
  );
});
