import { jest } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { USERS_ENTITLEMENTS_CHANGED } from '../../src/common/events/domain-events.js';
import {
  Bought,
  Coupon,
  Shop,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import {
  parseShopIds,
  PurchaseCommand,
} from '../../src/modules/shop/shop-purchase.service.js';
import { ShopRepository } from '../../src/modules/shop/shop.repository.js';
import { insertAccount } from '../factories/account.factory.js';
import {
  createCoupon,
  createPlan,
  purchaseFootprint,
} from '../factories/shop.factory.js';
import { itOnSqlite } from '../utils/modes.js';
import { Core, createCore } from './core-harness.js';

const GB = 1024 ** 3;
const DAY_MS = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('shop purchase (core)', () => {
  let c: Core;
  let t: { dataSource: Core['ds'] };

  beforeAll(async () => {
    c = await createCore();
    t = { dataSource: c.ds };
  });
  afterAll(async () => {
    await c?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    c.events.removeAllListeners();
    expect(await c.ledger.findProblems()).toEqual([]);
  });

  /** A level-0 buyer with `cents` credited through the ledger. */
  const buyer = async (cents: number, values: Partial<User> = {}) => {
    const u = await insertAccount(c.ds, {
      classLevel: 0,
      classExpire: new Date(0),
      expireIn: NOW,
      transferEnable: 0,
      ...values,
    });
    if (cents > 0)
      await c.ds.transaction((m) =>
        c.ledger.applyBalanceChange(m, {
          userId: u.id,
          amountCents: cents,
          reason: 'admin',
        }),
      );
    return u;
  };
  const buy = (
    over: Partial<PurchaseCommand> & { userId: number; shopId: number },
  ) =>
    c.purchase.purchase({
      autoRenew: false,
      allowDowngrade: false,
      now: NOW,
      ...over,
    });
  const userRow = (id: number) =>
    c.ds.getRepository(User).findOneByOrFail({ id });
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: { code?: string; message?: string }) => e.code ?? e.message,
    );

  it('a purchase debits, applies the plan and answers with the new state', async () => {
    const u = await buyer(3000, { transferEnable: 5 * GB });
    const plan = await createPlan(t, {
      name: 'Gold',
      price: '12.50',
      autoRenew: 30,
      content: {
        traffic: 100,
        reset_traffic: false,
        class: 2,
        class_expire: 30,
        expire_in: 60,
        speedlimit: 100,
        connector: 3,
      },
    });
    const res = await buy({ userId: u.id, shopId: plan.id, autoRenew: true });
    const boughts = await c.ds.getRepository(Bought).findBy({ userid: u.id });
    expect(boughts).toEqual([
      expect.objectContaining({
        shopid: plan.id,
        datetime: NOW.getTime() / 1000,
        renew: NOW.getTime() / 1000 + 30 * 86_400,
        coupon: '',
        price: '12.50',
      }),
    ]);
    expect(res).toEqual({
      user_id: u.id,
      shop_id: plan.id,
      shop_name: 'Gold',
      bought_id: boughts[0].id,
      price: 12.5,
      new_balance: 17.5,
      new_class: 2,
      new_class_expire: new Date(NOW.getTime() + 30 * DAY_MS).toISOString(),
      new_expire_in: new Date(NOW.getTime() + 60 * DAY_MS).toISOString(),
      new_transfer_enable: 105 * GB,
      traffic_added_gb: 100,
      traffic_reset: false,
      renew: NOW.getTime() / 1000 + 30 * 86_400,
    });
    const row = await userRow(u.id);
    expect(row).toMatchObject({
      money: '17.50',
      classLevel: 2,
      transferEnable: 105 * GB,
      nodeSpeedlimit: 100,
      nodeConnector: 3,
    });
    expect(
      await c.ds
        .getRepository(UserMoneyLog)
        .findBy({ userId: u.id, reason: 'purchase' }),
    ).toEqual([
      expect.objectContaining({
        amount: '-12.50',
        before: '30.00',
        after: '17.50',
        refType: 'bought',
        refId: boughts[0].id,
      }),
    ]);
  });

  it('a reset plan without auto-renew: traffic_reset true, renew 0, no traffic key → 0 GB added', async () => {
    const u = await buyer(1000);
    const reset = await createPlan(t, {
      price: '1.00',
      autoRenew: 30,
      content: { traffic: 10, reset_traffic: true },
    });
    expect(await buy({ userId: u.id, shopId: reset.id })).toMatchObject({
      traffic_reset: true,
      renew: 0,
      traffic_added_gb: 10,
    });
    const levelOnly = await createPlan(t, {
      price: '1.00',
      content: { class: 1, class_expire: 10 },
    });
    expect(await buy({ userId: u.id, shopId: levelOnly.id })).toMatchObject({
      traffic_reset: false,
      traffic_added_gb: 0,
    });
  });

  it('announces the changed entitlements of the buyer after the commit; a failing listener does not undo the purchase', async () => {
    const u = await buyer(500);
    const plan = await createPlan(t, { price: '1.00' });
    const seen: unknown[] = [];
    c.events.on(USERS_ENTITLEMENTS_CHANGED, (e: { userIds?: number[] }) => {
      seen.push(e.userIds);
    });
    await buy({ userId: u.id, shopId: plan.id });
    expect(seen).toEqual([[u.id]]);

    c.events.removeAllListeners();
    c.events.on(USERS_ENTITLEMENTS_CHANGED, () => {
      throw new Error('listener down');
    });
    await expect(buy({ userId: u.id, shopId: plan.id })).resolves.toMatchObject(
      {
        new_balance: 3,
      },
    );
  });

  it('not enough money: 409 INSUFFICIENT_BALANCE naming both amounts, nothing written', async () => {
    const u = await buyer(999);
    const plan = await createPlan(t, { price: '10.00' });
    const before = await purchaseFootprint(t, u.id);
    await expect(buy({ userId: u.id, shopId: plan.id })).rejects.toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
      message: 'Insufficient balance: 10.00 needed, 9.99 available',
    });
    expect(await purchaseFootprint(t, u.id)).toEqual(before);
  });

  it('exactly enough money buys; the balance goes to zero', async () => {
    const u = await buyer(1000);
    const plan = await createPlan(t, { price: '10.00' });
    expect(await buy({ userId: u.id, shopId: plan.id })).toMatchObject({
      new_balance: 0,
    });
  });

  it('the ledger guard refuses the debit when the balance read under the lock was stale', async () => {
    const u = await buyer(100);
    const plan = await createPlan(t, { price: '10.00' });
    // The row as a read before a concurrent debit committed would have shown it.
    jest
      .spyOn(ShopRepository.prototype, 'lockPurchaser')
      .mockResolvedValueOnce({
        classLevel: 0,
        classExpire: new Date(0),
        expireIn: NOW,
        moneyCents: 1_000_000,
      });
    const before = await purchaseFootprint(t, u.id);
    await expect(buy({ userId: u.id, shopId: plan.id })).rejects.toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
      message: 'Insufficient balance: 10.00 needed, 10000.00 available',
    });
    expect(await purchaseFootprint(t, u.id)).toEqual(before);
  });

  it('refuses a missing user, a missing plan, a plan off sale and a plan with unreadable content', async () => {
    const u = await buyer(10_000);
    const off = await createPlan(t, { status: 0 });
    const broken = await createPlan(t, { content: '{"traffic": "lots"}' });
    const plan = await createPlan(t);
    await expect(
      buy({ userId: 999_999, shopId: plan.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'User not found' });
    await expect(buy({ userId: u.id, shopId: 999_999 })).rejects.toMatchObject({
      code: 'SHOP_NOT_FOUND',
      message: 'Plan not found',
    });
    await expect(buy({ userId: u.id, shopId: off.id })).rejects.toMatchObject({
      code: 'SHOP_NOT_AVAILABLE',
      message: `Plan ${off.id} is not on sale`,
    });
    await expect(
      buy({ userId: u.id, shopId: broken.id }),
    ).rejects.toMatchObject({
      code: 'SHOP_NOT_AVAILABLE',
      message: `Plan ${broken.id} has invalid content and cannot be bought`,
    });
    expect((await userRow(u.id)).money).toBe('100.00');
    // A renewal renews a plan taken off sale.
    await expect(
      buy({ userId: u.id, shopId: off.id, renewal: true }),
    ).resolves.toMatchObject({ shop_id: off.id, new_balance: 90 });
  });

  it('auto_reset_bandwidth on the plan row makes the quota a reset', async () => {
    const u = await buyer(1000, { transferEnable: 7 * GB });
    const plan = await createPlan(t, {
      price: '1.00',
      autoResetBandwidth: 1,
      content: { traffic: 10 },
    });
    expect(await buy({ userId: u.id, shopId: plan.id })).toMatchObject({
      traffic_reset: true,
      new_transfer_enable: 10 * GB,
    });
  });

  it('a coupon discounts the price, is recorded on the bought row and counted', async () => {
    const u = await buyer(1000);
    const plan = await createPlan(t, { price: '10.00' });
    const coupon = await createCoupon(t, { credit: 25, onetime: 2 });
    const res = await buy({
      userId: u.id,
      shopId: plan.id,
      couponCode: coupon.code,
    });
    expect(res).toMatchObject({ price: 7.5, new_balance: 2.5 });
    expect(
      await c.ds.getRepository(Bought).findOneByOrFail({ id: res.bought_id }),
    ).toMatchObject({ coupon: coupon.code, price: '7.50' });
    expect(
      (await c.ds.getRepository(Coupon).findOneByOrFail({ id: coupon.id }))
        .used,
    ).toBe(1);
  });

  it('a 100 % coupon moves no money and writes no ledger row', async () => {
    const u = await buyer(0);
    const plan = await createPlan(t, { price: '10.00' });
    const coupon = await createCoupon(t, { credit: 100 });
    expect(
      await buy({ userId: u.id, shopId: plan.id, couponCode: coupon.code }),
    ).toMatchObject({ price: 0, new_balance: 0 });
    expect(
      await c.ds.getRepository(UserMoneyLog).countBy({ userId: u.id }),
    ).toBe(0);
  });

  it("the per-user limit counts this user's earlier purchases with the code", async () => {
    const [a, b] = [await buyer(10_000), await buyer(10_000)];
    const plan = await createPlan(t, { price: '1.00' });
    const coupon = await createCoupon(t, { onetime: 1 });
    await buy({ userId: a.id, shopId: plan.id, couponCode: coupon.code });
    expect(
      await code(
        buy({ userId: a.id, shopId: plan.id, couponCode: coupon.code }),
      ),
    ).toBe('COUPON_LIMIT_REACHED');
    // Another user's use does not count against b.
    await expect(
      buy({ userId: b.id, shopId: plan.id, couponCode: coupon.code }),
    ).resolves.toMatchObject({ price: 0.9 });
  });

  it('refuses an unknown coupon and one limited to other plans, writing nothing', async () => {
    const u = await buyer(10_000);
    const plan = await createPlan(t, { price: '1.00' });
    const other = await createPlan(t, { price: '1.00' });
    const before = await purchaseFootprint(t, u.id);
    await expect(
      buy({ userId: u.id, shopId: plan.id, couponCode: 'NOPE' }),
    ).rejects.toMatchObject({
      code: 'COUPON_NOT_FOUND',
      message: 'Coupon NOPE does not exist',
    });
    const limited = await createCoupon(t, { shop: ` ${other.id} ` });
    expect(
      await code(
        buy({ userId: u.id, shopId: plan.id, couponCode: limited.code }),
      ),
    ).toBe('COUPON_NOT_APPLICABLE');
    expect(await purchaseFootprint(t, u.id)).toEqual(before);
    await expect(
      buy({ userId: u.id, shopId: other.id, couponCode: limited.code }),
    ).resolves.toMatchObject({ price: 0.9 });
  });

  it('a coupon used up between the check and the count rolls the purchase back (COUPON_USED_UP)', async () => {
    const u = await buyer(1000);
    const plan = await createPlan(t, { price: '1.00' });
    const coupon = await createCoupon(t, { totalLimit: 1, used: 0 });
    // Another buyer takes the last use after this purchase read the coupon.
    const repo = c.ds.getRepository(Coupon);
    const before = await purchaseFootprint(t, u.id, coupon.id);
    jest
      .spyOn(ShopRepository.prototype, 'countCouponUses')
      .mockImplementationOnce(async (manager) => {
        await manager
          .getRepository(Coupon)
          .update({ id: coupon.id }, { used: 1 });
        return 0;
      });
    await expect(
      buy({ userId: u.id, shopId: plan.id, couponCode: coupon.code }),
    ).rejects.toMatchObject({
      code: 'COUPON_USED_UP',
      message: `Coupon ${coupon.code} has been used up`,
    });
    await repo.update({ id: coupon.id }, { used: 0 });
    expect(await purchaseFootprint(t, u.id, coupon.id)).toEqual(before);
  });

  it('a purchase that loses a lock race is rerun whole, up to three attempts', async () => {
    const u = await buyer(1000);
    const plan = await createPlan(t, { price: '1.00' });
    const deadlock = () =>
      new QueryFailedError('SELECT …', [], {
        code: 'ER_LOCK_DEADLOCK',
        errno: 1213,
      } as unknown as Error);
    const spy = jest
      .spyOn(ShopRepository.prototype, 'applyOutcome')
      .mockRejectedValueOnce(deadlock())
      .mockRejectedValueOnce(deadlock());
    await expect(buy({ userId: u.id, shopId: plan.id })).resolves.toMatchObject(
      {
        new_balance: 9,
      },
    );
    expect(spy).toHaveBeenCalledTimes(3);
    expect(await c.ds.getRepository(Bought).countBy({ userid: u.id })).toBe(1);

    spy.mockReset();
    spy
      .mockRejectedValueOnce(deadlock())
      .mockRejectedValueOnce(deadlock())
      .mockRejectedValueOnce(deadlock());
    await expect(buy({ userId: u.id, shopId: plan.id })).rejects.toBeInstanceOf(
      QueryFailedError,
    );
    expect(spy).toHaveBeenCalledTimes(3);
    expect((await userRow(u.id)).money).toBe('9.00');
  });

  // SQLite stores the invalid date the mocked read yields; MariaDB refuses it (NOT NULL), so the
  // answer's date formatting can only be reached there.
  itOnSqlite(
    'an unreadable expiry answers an empty date rather than failing the purchase',
    async () => {
      const u = await buyer(1000);
      const plan = await createPlan(t, {
        price: '1.00',
        content: { traffic: 1 },
      });
      jest
        .spyOn(ShopRepository.prototype, 'lockPurchaser')
        .mockResolvedValueOnce({
          classLevel: 0,
          classExpire: 'not a date' as unknown as Date,
          expireIn: new Date(Number.NaN),
          moneyCents: 1000,
        });
      const res = await buy({ userId: u.id, shopId: plan.id });
      expect(res.new_expire_in).toBe('');
      expect(res.new_class_expire).toBe('');
      // A string date that reads is given back as ISO.
      jest
        .spyOn(ShopRepository.prototype, 'lockPurchaser')
        .mockResolvedValueOnce({
          classLevel: 0,
          classExpire: '2027-01-02T03:04:05.000Z' as unknown as Date,
          expireIn: NOW,
          moneyCents: 900,
        });
      expect(
        (await buy({ userId: u.id, shopId: plan.id })).new_class_expire,
      ).toBe('2027-01-02T03:04:05.000Z');
    },
  );

  it.each([
    [null, []],
    ['', []],
    [' 1, 2 ,', [1, 2]],
    ['3', [3]],
    ['12, 345', [12, 345]],
    ['x, y', [0]],
    ['4,x', [4]],
    ['1.5', [0]],
  ])('parseShopIds(%j) = %j', (text, ids) => {
    expect(parseShopIds(text)).toEqual(ids);
  });

  it('the plan row is the only source of the price: a plan price change is seen by the next purchase', async () => {
    const u = await buyer(1000);
    const plan = await createPlan(t, { price: '1.00' });
    await c.ds.getRepository(Shop).update({ id: plan.id }, { price: '2.00' });
    expect(await buy({ userId: u.id, shopId: plan.id })).toMatchObject({
      price: 2,
      new_balance: 8,
    });
  });
});
