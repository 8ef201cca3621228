import { Paylist } from '../../src/database/entities/index.js';
import { createOrder, EPAY_ENV } from '../factories/payment.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

/**
 * Per-gateway top-up bounds: each configuration block may set its own (EPAY_MIN/EPAY_MAX cover
 * alipay, wechat and epay), the global PAYMENT_MIN/PAYMENT_MAX are the default of the rest, and
 * both the list and order creation use the gateway's own.
 */
describe('payment: per-gateway minimum and maximum (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...EPAY_ENV,
        PAYMENT_MIN: '2',
        EPAY_MIN: '5',
        EPAY_MAX: '500',
        // Above the global maximum (10000): a block's bound replaces the global one.
        PAYMENT_MANUAL_MAX: '20000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists each gateway with its own bounds, the global ones where its block sets none', async () => {
    const user = await signUp(t);
    const res = await t
      .http()
      .get(`${API}/payment/gateways`)
      .set(user.auth)
      .expect(200);
    expect(res.body.data.gateways).toEqual([
      { name: 'alipay', currency: 'CNY', min: 5, max: 500 },
      { name: 'wechat', currency: 'CNY', min: 5, max: 500 },
      { name: 'epay', currency: 'CNY', min: 5, max: 500 },
      { name: 'manual', currency: null, min: 2, max: 20000 },
    ]);
  });

  it.each([
    ['alipay', '4.99', 'between 5.00 and 500.00 for alipay'],
    ['epay', '500.01', 'between 5.00 and 500.00 for epay'],
    ['manual', '1.99', 'between 2.00 and 20000.00 for manual'],
    ['manual', '20000.01', 'between 2.00 and 20000.00 for manual'],
  ])(
    'refuses %s %s with 400 AMOUNT_OUT_OF_RANGE (%s), creating nothing',
    async (gateway, total, message) => {
      const user = await signUp(t);
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .send({ total, gateway })
        .expect(400);
      expect(res.body).toMatchObject({ ret: 0, code: 'AMOUNT_OUT_OF_RANGE' });
      expect(res.body.msg).toContain(message);
      expect(res.body.errors.total).toContain(message);
      expect(
        await t.dataSource.getRepository(Paylist).countBy({ userid: user.id }),
      ).toBe(0);
    },
  );

  it('accepts the bounds themselves, and an amount past the global maximum where the gateway allows it', async () => {
    const user = await signUp(t);
    for (const [total, gateway] of [
      ['5.00', 'wechat'],
      ['500.00', 'alipay'],
      ['2.00', 'manual'],
      ['15000.00', 'manual'],
    ])
      expect((await createOrder(t, user, total, gateway)).total).toBe(
        Number(total),
      );
  });
});
