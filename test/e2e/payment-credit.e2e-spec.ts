import { jest } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import {
  Payback,
  PaymentCallback,
  Paylist,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { isUniqueViolation } from '../../src/database/db-errors.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { ReferralService } from '../../src/modules/referral/referral.service.js';
import {
  createOrder,
  EPAY_ENV,
  epayNotify,
  moneyOf,
  moneySnapshot,
  setRefBy,
} from '../factories/payment.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

/**
 * The one crediting path's refusals and failures (payment-credit.service.ts), driven through the
 * epay notify: a trade number already on another order, an order whose owner is gone, our own
 * error mid-credit (the gateway must retry), a lost lock race retried, and the payback table's
 * UNIQUE(paylist_id, level) backstop.
 */
describe('payment crediting (e2e, refusals and failures)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Unlimited commissions per referee: the UNIQUE backstop is then the only thing in the way.
    t = await createTestApp({ env: { ...EPAY_ENV, PAYBACK_MAX_TIMES: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  const notify = (params: Record<string, string>) =>
    t.http().get(`${API}/payment/notify/alipay`).query(params);
  const order = (id: number) =>
    t.dataSource.getRepository(Paylist).findOneByOrFail({ id });
  const lastCallback = async (paylistId: number) =>
    (
      await t.dataSource
        .getRepository(PaymentCallback)
        .find({ where: { paylistId }, order: { id: 'DESC' }, take: 1 })
    )[0];
  const lockError = () =>
    new QueryFailedError('UPDATE …', [], {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
      message: 'Deadlock found when trying to get lock',
    } as unknown as Error);

  it('a trade number already recorded on another order is refused (400 fail, CALLBACK_NO_REUSED), nothing changes', async () => {
    const payer = await signUp(t);
    const first = await createOrder(t, payer, '3.00');
    const second = await createOrder(t, payer, '3.00');
    const reference = `EP${first.tradeno.slice(-12)}`;
    await notify(epayNotify(first)).expect(200, 'success');

    const before = await moneySnapshot(t.dataSource);
    const res = await notify(
      epayNotify(second, { trade_no: reference }),
    ).expect(400);
    expect(res.text).toBe('fail');
    expect(await moneySnapshot(t.dataSource)).toEqual(before);
    expect(await order(second.order_id)).toMatchObject({
      status: 0,
      callbackNo: null,
    });
    expect(await lastCallback(second.order_id)).toMatchObject({
      outcome: 'rejected',
      reason: `Gateway trade number already recorded on another order (order ${second.order_id})`,
    });
  });

  it('an order whose owner no longer exists is refused (ORDER_OWNER_MISSING) and stays unpaid', async () => {
    const payer = await signUp(t);
    const created = await createOrder(t, payer, '4.00');
    await t.dataSource.getRepository(User).delete({ id: payer.id });

    const res = await notify(epayNotify(created)).expect(400);
    expect(res.text).toBe('fail');
    expect(await order(created.order_id)).toMatchObject({
      status: 0,
      paidAt: null,
      callbackNo: null,
    });
    expect(await lastCallback(created.order_id)).toMatchObject({
      outcome: 'rejected',
      reason: `The owner of order ${created.order_id} no longer exists`,
    });
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: payer.id }),
    ).toBe(0);
  });

  it('our own error mid-credit answers fail with 500 and rolls back; the resent notify then credits once', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const created = await createOrder(t, payer, '10.00');
    // After the order is marked paid and the payer credited, before the commission.
    const fail = jest
      .spyOn(t.app.get(ReferralService), 'payCommission')
      .mockRejectedValueOnce(new Error('injected failure'));

    const res = await notify(epayNotify(created)).expect(500);
    expect(res.text).toBe('fail');
    expect(fail).toHaveBeenCalledTimes(1);
    expect(await order(created.order_id)).toMatchObject({ status: 0 });
    expect(await moneyOf(t.dataSource, payer.id)).toBe('0.00');
    expect(await lastCallback(created.order_id)).toMatchObject({
      outcome: 'error',
      reason: 'internal error',
    });

    await notify(epayNotify(created)).expect(200, 'success');
    expect(await moneyOf(t.dataSource, payer.id)).toBe('10.00');
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('2.00');
    expect(await lastCallback(created.order_id)).toMatchObject({
      outcome: 'credited',
    });
  });

  it('a credit that loses a lock race is rerun whole: credited once, commission once', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const created = await createOrder(t, payer, '5.00');
    const spy = jest
      .spyOn(t.app.get(ReferralService), 'payCommission')
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError());

    await notify(epayNotify(created)).expect(200, 'success');
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await moneyOf(t.dataSource, payer.id)).toBe('5.00');
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('1.00');
    const logs = t.dataSource.getRepository(UserMoneyLog);
    expect(await logs.countBy({ userId: payer.id })).toBe(1);
    expect(await logs.countBy({ userId: referrer.id })).toBe(1);
  });

  it('three lost lock races in a row give up: nothing applied, the gateway is asked to retry', async () => {
    const payer = await signUp(t);
    const created = await createOrder(t, payer, '6.00');
    const spy = jest
      .spyOn(t.app.get(ReferralService), 'payCommission')
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError());

    const res = await notify(epayNotify(created));
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.text).toBe('fail');
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await order(created.order_id)).toMatchObject({ status: 0 });
    expect(await moneyOf(t.dataSource, payer.id)).toBe('0.00');
  });

  it('UNIQUE(paylist_id, level) refuses a second commission for the same order and level', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const created = await createOrder(t, payer, '10.00');
    await notify(epayNotify(created)).expect(200, 'success');
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('2.00');

    // As if the paylist winner guard had let a second credit through: the payout itself is refused.
    const paid = await order(created.order_id);
    const err = await t.dataSource
      .transaction((m) => t.app.get(ReferralService).payCommission(m, paid))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(err)).toBe(true);
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('2.00');
    expect(
      await t.dataSource
        .getRepository(Payback)
        .countBy({ paylistId: created.order_id }),
    ).toBe(1);
  });
});

describe('payment crediting (e2e, PAYBACK_ENABLED=false)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...EPAY_ENV, PAYBACK_ENABLED: 'false' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a top-up credits the payer and pays no commission', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const created = await createOrder(t, payer, '10.00');
    await t
      .http()
      .get(`${API}/payment/notify/alipay`)
      .query(epayNotify(created))
      .expect(200, 'success');
    expect(await moneyOf(t.dataSource, payer.id)).toBe('10.00');
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('0.00');
    expect(
      await t.dataSource
        .getRepository(Payback)
        .countBy({ paylistId: created.order_id }),
    ).toBe(0);
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });
});
