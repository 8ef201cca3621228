import { jest } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import {
  Payback,
  Paylist,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import {
  ORDER_EXPIRED,
  ORDER_PAID,
} from '../../src/modules/payment/payment.repository.js';
import { PaymentRepository } from '../../src/modules/payment/payment.repository.js';
import { ReferralService } from '../../src/modules/referral/referral.service.js';
import { insertAccount } from '../factories/account.factory.js';
import { Core, createCore } from './core-harness.js';

let orderCounter = 0;

describe('payment crediting (core)', () => {
  let c: Core;

  beforeAll(async () => {
    c = await createCore();
  });
  afterAll(async () => {
    await c?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    c.metrics.ordersPaid.length = 0;
    expect(await c.ledger.findProblems()).toEqual([]);
  });

  const newOrder = async (
    userid: number,
    total: string,
    values: Partial<Paylist> = {},
  ): Promise<Paylist> => {
    const repo = c.ds.getRepository(Paylist);
    const res = await repo.insert({
      userid,
      total,
      status: 0,
      tradeno: `T${process.pid}x${++orderCounter}`,
      datetime: Math.floor(Date.now() / 1000),
      gateway: 'manual',
      paidAt: null,
      callbackNo: null,
      ...values,
    });
    return repo.findOneByOrFail({ id: Number(res.identifiers[0].id) });
  };
  const money = async (id: number) =>
    (await c.ds.getRepository(User).findOneByOrFail({ id })).money;
  const orderRow = (id: number) =>
    c.ds.getRepository(Paylist).findOneByOrFail({ id });
  const lockError = () =>
    new QueryFailedError('UPDATE …', [], {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
    } as unknown as Error);

  it('credits once: the order paid, the payer credited, the commission paid, the result complete', async () => {
    const referrer = await insertAccount(c.ds);
    const payer = await insertAccount(c.ds, { refBy: referrer.id });
    const order = await newOrder(payer.id, '12.34');
    const before = Math.floor(Date.now() / 1000);

    const result = await c.credit.creditPaidOrder({
      orderId: order.id,
      gateway: 'alipay',
      callbackNo: 'EP-1',
      via: 'notify',
    });
    expect(result).toMatchObject({ credited: true, commissionCents: 247 });
    // A callback's reply shows no balance: the statement reading it is skipped.
    expect(result.balanceCents).toBeUndefined();
    expect(await money(payer.id)).toBe('12.34');
    expect(result.order).toBeInstanceOf(Paylist);
    expect(result.order).toMatchObject({
      id: order.id,
      userid: payer.id,
      total: '12.34',
      status: ORDER_PAID,
      gateway: 'alipay',
      callbackNo: 'EP-1',
    });
    expect(result.order.paidAt).toBeGreaterThanOrEqual(before);
    expect(await orderRow(order.id)).toMatchObject({
      status: ORDER_PAID,
      gateway: 'alipay',
      callbackNo: 'EP-1',
      paidAt: result.order.paidAt,
    });
    expect(await money(payer.id)).toBe('12.34');
    expect(await money(referrer.id)).toBe('2.47');
    expect(
      await c.ds.getRepository(UserMoneyLog).findBy({ userId: payer.id }),
    ).toEqual([
      expect.objectContaining({
        reason: 'topup',
        amount: '12.34',
        refType: 'paylist',
        refId: order.id,
      }),
    ]);
    expect(c.metrics.ordersPaid).toEqual([247]);

    // Asked again (another gateway name, another number): nothing changes, nothing counted.
    const again = await c.credit.creditPaidOrder({
      orderId: order.id,
      gateway: 'wechat',
      callbackNo: 'EP-2',
      via: 'admin',
    });
    expect(again).toEqual({ credited: false, order: expect.any(Paylist) });
    expect(again.order.id).toBe(order.id);
    expect(await orderRow(order.id)).toMatchObject({
      gateway: 'alipay',
      callbackNo: 'EP-1',
    });
    expect(await money(payer.id)).toBe('12.34');
    expect(c.metrics.ordersPaid).toEqual([247]);
  });

  it('without a referrer the commission is 0; a null gateway and no trade number are kept as NULL', async () => {
    const payer = await insertAccount(c.ds);
    const order = await newOrder(payer.id, '5.00', { gateway: null });
    const result = await c.credit.creditPaidOrder({
      orderId: order.id,
      gateway: null,
      via: 'debug',
      reportBalance: true,
    });
    expect(result).toMatchObject({
      credited: true,
      balanceCents: 500,
      commissionCents: 0,
      order: { gateway: null, callbackNo: null },
    });
    expect(await orderRow(order.id)).toMatchObject({
      status: ORDER_PAID,
      gateway: null,
      callbackNo: null,
    });
    expect(c.metrics.ordersPaid).toEqual([0]);
  });

  it('an order that expired unpaid is still credited when its money arrives', async () => {
    const payer = await insertAccount(c.ds);
    const order = await newOrder(payer.id, '3.00', { status: ORDER_EXPIRED });
    expect(
      await c.credit.creditPaidOrder({
        orderId: order.id,
        gateway: 'manual',
        via: 'admin',
        reportBalance: true,
      }),
    ).toMatchObject({ credited: true, balanceCents: 300 });
  });

  it('an unknown order is ORDER_NOT_FOUND', async () => {
    await expect(
      c.credit.creditPaidOrder({
        orderId: 999_999,
        gateway: 'manual',
        via: 'admin',
      }),
    ).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('an order whose owner is gone is ORDER_OWNER_MISSING and stays unpaid', async () => {
    const payer = await insertAccount(c.ds);
    const order = await newOrder(payer.id, '4.00');
    await c.ds.getRepository(User).delete({ id: payer.id });
    await expect(
      c.credit.creditPaidOrder({
        orderId: order.id,
        gateway: 'manual',
        via: 'admin',
      }),
    ).rejects.toMatchObject({
      code: 'ORDER_OWNER_MISSING',
      message: `The owner of order ${order.id} no longer exists`,
    });
    expect(await orderRow(order.id)).toMatchObject({ status: 0, paidAt: null });
    expect(c.metrics.ordersPaid).toEqual([]);
  });

  it('a trade number already on another order of the gateway is CALLBACK_NO_REUSED; without a number there is no such check', async () => {
    const payer = await insertAccount(c.ds);
    const [a, b] = [
      await newOrder(payer.id, '1.00', { gateway: 'alipay' }),
      await newOrder(payer.id, '1.00', { gateway: 'alipay' }),
    ];
    await c.credit.creditPaidOrder({
      orderId: a.id,
      gateway: 'alipay',
      callbackNo: 'SAME',
      via: 'notify',
    });
    await expect(
      c.credit.creditPaidOrder({
        orderId: b.id,
        gateway: 'alipay',
        callbackNo: 'SAME',
        via: 'notify',
      }),
    ).rejects.toMatchObject({
      code: 'CALLBACK_NO_REUSED',
      message: `Gateway trade number already recorded on another order (order ${b.id})`,
    });
    expect(await orderRow(b.id)).toMatchObject({ status: 0, callbackNo: null });
    expect(await money(payer.id)).toBe('1.00');
  });

  it('a unique violation without a trade number is not taken for a reused one', async () => {
    const payer = await insertAccount(c.ds);
    const order = await newOrder(payer.id, '1.00');
    const dup = new QueryFailedError('INSERT …', [], {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
      errno: 1062,
    } as unknown as Error);
    jest
      .spyOn(ReferralService.prototype, 'payCommission')
      .mockRejectedValueOnce(dup);
    await expect(
      c.credit.creditPaidOrder({
        orderId: order.id,
        gateway: 'manual',
        via: 'admin',
      }),
    ).rejects.toBe(dup);
    expect(await orderRow(order.id)).toMatchObject({ status: 0 });
  });

  it('a credit that loses a lock race is rerun whole (three attempts in all), then gives up', async () => {
    const referrer = await insertAccount(c.ds);
    const payer = await insertAccount(c.ds, { refBy: referrer.id });
    const order = await newOrder(payer.id, '5.00');
    const spy = jest
      .spyOn(ReferralService.prototype, 'payCommission')
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError());
    await expect(
      c.credit.creditPaidOrder({
        orderId: order.id,
        gateway: 'manual',
        via: 'admin',
      }),
    ).resolves.toMatchObject({ credited: true, commissionCents: 100 });
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await money(payer.id)).toBe('5.00');
    expect(await money(referrer.id)).toBe('1.00');
    expect(c.metrics.ordersPaid).toEqual([100]);

    const next = await newOrder(payer.id, '2.00');
    spy.mockReset();
    spy
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError())
      .mockRejectedValueOnce(lockError());
    await expect(
      c.credit.creditPaidOrder({
        orderId: next.id,
        gateway: 'manual',
        via: 'admin',
      }),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await orderRow(next.id)).toMatchObject({ status: 0 });
    expect(await money(payer.id)).toBe('5.00');
  });

  it('another error is not retried and rolls everything back', async () => {
    const payer = await insertAccount(c.ds);
    const order = await newOrder(payer.id, '5.00');
    const spy = jest
      .spyOn(PaymentRepository.prototype, 'markPaid')
      .mockRejectedValueOnce(new Error('boom'));
    await expect(
      c.credit.creditPaidOrder({
        orderId: order.id,
        gateway: 'manual',
        via: 'admin',
      }),
    ).rejects.toThrow('boom');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await money(payer.id)).toBe('0.00');
  });

  it('the payback table refuses a second commission for the same order and level', async () => {
    const referrer = await insertAccount(c.ds);
    const payer = await insertAccount(c.ds, { refBy: referrer.id });
    const order = await newOrder(payer.id, '10.00');
    await c.credit.creditPaidOrder({
      orderId: order.id,
      gateway: 'manual',
      via: 'admin',
    });
    // PAYBACK_MAX_TIMES=1 would stop a second payout earlier: unlimited (0) for the second call
    // on the same order, so the UNIQUE backstop is the only thing in its way.
    const config = (c.referral as unknown as { config: { maxTimes: number } })
      .config;
    const maxTimes = config.maxTimes;
    config.maxTimes = 0;
    try {
      const paid = await orderRow(order.id);
      await expect(
        c.ds.transaction((m) => c.referral.payCommission(m, paid)),
      ).rejects.toBeInstanceOf(QueryFailedError);
    } finally {
      config.maxTimes = maxTimes;
    }
    expect(await money(referrer.id)).toBe('2.00');
    expect(
      await c.ds.getRepository(Payback).countBy({ paylistId: order.id }),
    ).toBe(1);
  });
});
