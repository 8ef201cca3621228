import { jest } from '@jest/globals';
import {
  Bought,
  Coupon,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { NodeCacheService } from '../../src/modules/node-api/node-cache.service.js';
import { ShopRepository } from '../../src/modules/shop/shop.repository.js';
import {
  createCoupon,
  createPlan,
  giveMoney,
  purchaseFootprint,
} from '../factories/shop.factory.js';
import { signUp, SignedInUser, updateUser } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { describeOnMysql } from '../utils/modes.js';

const GB = 1024 ** 3;
const DAY_MS = 86_400_000;

describe('shop (e2e)', () => {
  let t: TestApp;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestApp();
    ledger = t.app.get(LedgerService);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const buy = (user: SignedInUser, body: Record<string, unknown>) =>
    t.http().post(`${API}/user/buy`).set(user.auth).send(body);
  const userRow = (id: number) =>
    t.dataSource.getRepository(User).findOneByOrFail({ id });

  it('GET /user/shop lists only plans on sale, with parsed content', async () => {
    const user = await signUp(t);
    const onSale = await createPlan(t, { name: 'On sale', price: '12.50' });
    const off = await createPlan(t, { name: 'Off', status: 0 });
    const res = await t
      .http()
      .get(`${API}/user/shop`)
      .set(user.auth)
      .expect(200);
    const ids = res.body.data.packages.map((p: { id: number }) => p.id);
    expect(ids).toContain(onSale.id);
    expect(ids).not.toContain(off.id);
    expect(res.body.data.count).toBe(res.body.data.packages.length);
    expect(
      res.body.data.packages.find((p: { id: number }) => p.id === onSale.id),
    ).toEqual({
      id: onSale.id,
      name: 'On sale',
      price: 12.5,
      content: {
        traffic: 100,
        reset_traffic: true,
        class: 1,
        class_expire: 30,
        expire_in: 30,
      },
      auto_renew: 0,
      auto_reset_bandwidth: 0,
      status: 1,
    });
  });

  it('a purchase changes balance, level, expiry, quota, limits and writes bought + ledger rows', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 3000);
    await updateUser(t.dataSource, user.id, {
      u: 5 * GB,
      d: 7 * GB,
      lastDayT: GB,
    });
    const plan = await createPlan(t, {
      name: 'Pro',
      price: '25.00',
      autoRenew: 30,
      content: {
        traffic: 300,
        reset_traffic: true,
        class: 2,
        class_expire: 30,
        expire_in: 30,
        speedlimit: 100,
        connector: 5,
      },
    });
    const before = Date.now();
    const res = await buy(user, { shop_id: plan.id, auto_renew: true }).expect(
      200,
    );
    expect(res.body).toMatchObject({ ret: 1, msg: 'Purchase successful' });
    const data = res.body.data;
    expect(data).toMatchObject({
      user_id: user.id,
      shop_id: plan.id,
      shop_name: 'Pro',
      price: 25,
      new_balance: 5,
      new_class: 2,
      new_transfer_enable: 300 * GB,
      traffic_added_gb: 300,
      traffic_reset: true,
    });
    const classExpire = Date.parse(data.new_class_expire);
    expect(Math.abs(classExpire - (before + 30 * DAY_MS))).toBeLessThan(5000);

    const row = await userRow(user.id);
    expect(row).toMatchObject({
      money: '5.00',
      classLevel: 2,
      transferEnable: 300 * GB,
      u: 0,
      d: 0,
      lastDayT: 0,
      nodeSpeedlimit: 100,
      nodeConnector: 5,
    });
    expect(row.classExpire.getTime()).toBe(classExpire);
    expect(row.expireIn.getTime()).toBe(Date.parse(data.new_expire_in));

    const bought = await t.dataSource
      .getRepository(Bought)
      .findBy({ userid: user.id });
    expect(bought).toEqual([
      expect.objectContaining({
        id: data.bought_id,
        shopid: plan.id,
        price: '25.00',
        coupon: '',
      }),
    ]);
    expect(bought[0].renew).toBe(data.renew);
    expect(bought[0].renew - bought[0].datetime).toBe(30 * 86_400);
    const log = await t.dataSource
      .getRepository(UserMoneyLog)
      .findBy({ userId: user.id, reason: 'purchase' });
    expect(log).toEqual([
      expect.objectContaining({
        before: '30.00',
        after: '5.00',
        amount: '-25.00',
        refType: 'bought',
        refId: data.bought_id,
      }),
    ]);
    expect(await ledger.findProblems()).toEqual([]);

    const history = await t
      .http()
      .get(`${API}/user/bought`)
      .set(user.auth)
      .expect(200);
    expect(history.body.data).toEqual({
      history: [
        {
          id: data.bought_id,
          shopid: plan.id,
          datetime: bought[0].datetime,
          renew: data.renew,
          price: 25,
          coupon: '',
        },
      ],
      count: 1,
    });
  });

  it('an add-traffic plan adds to the quota and keeps usage; the same level extends', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 2000);
    const plan = await createPlan(t, {
      content: {
        traffic: 50,
        reset_traffic: false,
        class: 1,
        class_expire: 10,
        expire_in: 5,
      },
    });
    await updateUser(t.dataSource, user.id, { u: GB, d: 2 * GB });
    const first = (await buy(user, { shop_id: plan.id }).expect(200)).body.data;
    const second = (await buy(user, { shop_id: plan.id }).expect(200)).body
      .data;
    expect(second.new_transfer_enable).toBe(100 * GB);
    expect(
      Date.parse(second.new_class_expire) - Date.parse(first.new_class_expire),
    ).toBe(10 * DAY_MS);
    expect(
      Date.parse(second.new_expire_in) - Date.parse(first.new_expire_in),
    ).toBe(5 * DAY_MS);
    expect(await userRow(user.id)).toMatchObject({
      u: GB,
      d: 2 * GB,
      transferEnable: 100 * GB,
      money: '0.00',
    });
  });

  it('a coupon discounts the price, is recorded on the bought row and counted', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 1000);
    const plan = await createPlan(t, { price: '9.99' });
    const coupon = await createCoupon(t, { credit: 15, shop: String(plan.id) });
    const res = await buy(user, {
      shop_id: plan.id,
      coupon: coupon.code,
    }).expect(200);
    expect(res.body.data).toMatchObject({ price: 8.49, new_balance: 1.51 });
    expect(
      await t.dataSource
        .getRepository(Bought)
        .findOneByOrFail({ userid: user.id }),
    ).toMatchObject({
      coupon: coupon.code,
      price: '8.49',
    });
    expect(
      (
        await t.dataSource
          .getRepository(Coupon)
          .findOneByOrFail({ id: coupon.id })
      ).used,
    ).toBe(1);
    expect(await ledger.findProblems()).toEqual([]);
  });

  it('a lower level is refused while the current one lasts, and replaces it with allow_downgrade', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 5000);
    await updateUser(t.dataSource, user.id, {
      classLevel: 3,
      classExpire: new Date(Date.now() + 10 * DAY_MS),
    });
    const plan = await createPlan(t, {
      content: { class: 1, class_expire: 30 },
    });
    const refused = await buy(user, { shop_id: plan.id }).expect(409);
    expect(refused.body).toMatchObject({ ret: 0, code: 'CLASS_DOWNGRADE' });
    const ok = await buy(user, {
      shop_id: plan.id,
      allow_downgrade: true,
    }).expect(200);
    expect(ok.body.data.new_class).toBe(1);
  });

  type FailureCase = {
    name: string;
    status: number;
    code: string;
    setup: (
      user: SignedInUser,
    ) => Promise<{ body: Record<string, unknown>; couponId?: number }>;
  };
  const failures: FailureCase[] = [
    {
      name: 'insufficient balance',
      status: 409,
      code: 'INSUFFICIENT_BALANCE',
      setup: async () => ({
        body: { shop_id: (await createPlan(t, { price: '50.00' })).id },
      }),
    },
    {
      name: 'unknown plan',
      status: 404,
      code: 'SHOP_NOT_FOUND',
      setup: () => Promise.resolve({ body: { shop_id: 999_999 } }),
    },
    {
      name: 'disabled plan',
      status: 409,
      code: 'SHOP_NOT_AVAILABLE',
      setup: async () => ({
        body: { shop_id: (await createPlan(t, { status: 0 })).id },
      }),
    },
    {
      name: 'plan with unreadable content',
      status: 409,
      code: 'SHOP_NOT_AVAILABLE',
      setup: async () => ({
        body: {
          shop_id: (await createPlan(t, { content: '{"traffic":"lots"}' })).id,
        },
      }),
    },
    {
      name: 'unknown coupon',
      status: 400,
      code: 'COUPON_NOT_FOUND',
      setup: async () => ({
        body: { shop_id: (await createPlan(t)).id, coupon: 'NO-SUCH-CODE' },
      }),
    },
    {
      name: 'expired coupon',
      status: 400,
      code: 'COUPON_EXPIRED',
      setup: async () => {
        const coupon = await createCoupon(t, {
          expire: Math.floor(Date.now() / 1000) - 10,
        });
        return {
          body: { shop_id: (await createPlan(t)).id, coupon: coupon.code },
          couponId: coupon.id,
        };
      },
    },
    {
      name: 'used-up coupon (total_limit)',
      status: 400,
      code: 'COUPON_USED_UP',
      setup: async () => {
        const coupon = await createCoupon(t, { totalLimit: 2, used: 2 });
        return {
          body: { shop_id: (await createPlan(t)).id, coupon: coupon.code },
          couponId: coupon.id,
        };
      },
    },
    {
      name: 'coupon already used by this user (onetime)',
      status: 400,
      code: 'COUPON_LIMIT_REACHED',
      setup: async (user) => {
        const coupon = await createCoupon(t, { onetime: 1 });
        await t.dataSource.getRepository(Bought).insert({
          userid: user.id,
          shopid: 1,
          datetime: 1,
          renew: 0,
          coupon: coupon.code,
          price: '0.00',
        });
        return {
          body: { shop_id: (await createPlan(t)).id, coupon: coupon.code },
          couponId: coupon.id,
        };
      },
    },
    {
      name: 'coupon for another plan',
      status: 400,
      code: 'COUPON_NOT_APPLICABLE',
      setup: async () => {
        const coupon = await createCoupon(t, { shop: '999998,999999' });
        return {
          body: { shop_id: (await createPlan(t)).id, coupon: coupon.code },
          couponId: coupon.id,
        };
      },
    },
  ];

  it.each(failures)(
    '$name → $status $code, nothing changed',
    async ({ status, code, setup }) => {
      const user = await signUp(t);
      await giveMoney(t, user.id, 2000);
      const { body, couponId } = await setup(user);
      const before = await purchaseFootprint(t, user.id, couponId);
      const res = await buy(user, body).expect(status);
      expect(res.body).toMatchObject({ ret: 0, code });
      expect(res.body.msg).toEqual(expect.any(String));
      expect(await purchaseFootprint(t, user.id, couponId)).toEqual(before);
    },
  );

  it.each([
    [{}, 'shop_id'],
    [{ shop_id: 'abc' }, 'shop_id'],
    [{ shop_id: 1, coupon: 'x'.repeat(65) }, 'coupon'],
    [{ shop_id: 1, auto_renew: 'yes' }, 'auto_renew'],
    [{ shop_id: 1, extra: 1 }, 'extra'],
  ])('bad input %j → 400 naming %s', async (body, field) => {
    const user = await signUp(t);
    const res = await buy(user, body).expect(400);
    expect(res.body).toMatchObject({ ret: 0, code: 'VALIDATION_FAILED' });
    expect(Object.keys(res.body.errors)).toContain(field);
  });

  it('a failure in any step rolls the whole purchase back (injected after debit and coupon use)', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 2000);
    const plan = await createPlan(t);
    const coupon = await createCoupon(t, { totalLimit: 5 });
    const repo = t.app.get(ShopRepository);
    const spy = jest
      .spyOn(repo, 'applyOutcome')
      .mockRejectedValueOnce(new Error('injected failure'));
    const before = await purchaseFootprint(t, user.id, coupon.id);
    const res = await buy(user, {
      shop_id: plan.id,
      coupon: coupon.code,
    }).expect(500);
    expect(res.body).toEqual({
      ret: 0,
      msg: expect.any(String),
      code: 'INTERNAL_ERROR',
    });
    expect(JSON.stringify(res.body)).not.toContain('injected');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await purchaseFootprint(t, user.id, coupon.id)).toEqual(before);
    expect(await ledger.findProblems()).toEqual([]);
    // and the same purchase then goes through
    await buy(user, { shop_id: plan.id, coupon: coupon.code }).expect(200);
  });

  it('the ledger guard refuses the debit even when the balance read before it was stale (pre-check bypassed)', async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 100); // 1.00
    const plan = await createPlan(t, { price: '5.00' });
    const repo = t.app.get(ShopRepository);
    // The purchaser's row as a stale read would see it: 50.00, so the JS pre-check passes and
    // only the conditional `money >= price` update stands between the user and a -4.00 balance.
    const real = repo.lockPurchaser.bind(repo);
    const stale = jest
      .spyOn(repo, 'lockPurchaser')
      .mockImplementation(async (manager, userId) => {
        const row = await real(manager, userId);
        return row && { ...row, moneyCents: 5000 };
      });
    const before = await purchaseFootprint(t, user.id);
    const res = await buy(user, { shop_id: plan.id }).expect(409);
    expect(res.body).toMatchObject({ ret: 0, code: 'INSUFFICIENT_BALANCE' });
    expect(stale).toHaveBeenCalledTimes(1);
    expect((await userRow(user.id)).money).toBe('1.00');
    expect(await purchaseFootprint(t, user.id)).toEqual(before);
    expect(await ledger.findProblems()).toEqual([]);
  });

  it("a committed purchase drops the nodes' cached user lists; a cache failure does not undo it", async () => {
    const user = await signUp(t);
    await giveMoney(t, user.id, 2000);
    const plan = await createPlan(t);
    const invalidate = jest.spyOn(t.app.get(NodeCacheService), 'invalidate');
    await buy(user, { shop_id: plan.id }).expect(200);
    expect(invalidate).toHaveBeenCalledTimes(1);
    invalidate.mockRejectedValueOnce(new Error('redis down'));
    await buy(user, { shop_id: plan.id }).expect(200);
    expect((await userRow(user.id)).money).toBe('0.00');
    // a refused purchase changes nothing nodes see
    await buy(user, { shop_id: plan.id }).expect(409);
    expect(invalidate).toHaveBeenCalledTimes(2);
  });

  it('GET /user/bought pages newest first and shows only the caller’s rows', async () => {
    const [a, b] = [await signUp(t), await signUp(t)];
    await giveMoney(t, a.id, 500);
    await giveMoney(t, b.id, 100);
    const plan = await createPlan(t, {
      price: '1.00',
      content: { traffic: 1 },
    });
    for (let i = 0; i < 5; i++) await buy(a, { shop_id: plan.id }).expect(200);
    await buy(b, { shop_id: plan.id }).expect(200);
    const page = await t
      .http()
      .get(`${API}/user/bought?limit=2&offset=1`)
      .set(a.auth)
      .expect(200);
    expect(page.body.data.count).toBe(5);
    const all = await t
      .http()
      .get(`${API}/user/bought`)
      .set(a.auth)
      .expect(200);
    const ids = all.body.data.history.map((h: { id: number }) => h.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(page.body.data.history.map((h: { id: number }) => h.id)).toEqual(
      ids.slice(1, 3),
    );
    const bIds = (
      await t.http().get(`${API}/user/bought`).set(b.auth).expect(200)
    ).body.data.history;
    expect(bIds).toHaveLength(1);
    await t.http().get(`${API}/user/bought?limit=101`).set(a.auth).expect(400);
  });

  // Row-lock claims (the buyer's FOR UPDATE, the per-user coupon count read under it, the
  // conditional coupon update): SQLite serialises every writer, so only MariaDB can see them.
  describeOnMysql('concurrency', () => {
    it('50 parallel purchases with balance for exactly 3: 3 succeed, never below zero, ledger consistent', async () => {
      const user = await signUp(t);
      const plan = await createPlan(t, {
        price: '3.33',
        content: {
          traffic: 10,
          reset_traffic: false,
          class: 1,
          class_expire: 30,
          expire_in: 30,
        },
      });
      await giveMoney(t, user.id, 3 * 333 + 50); // 10.49: three purchases and 0.50 left
      const results = await Promise.all(
        Array.from({ length: 50 }, () => buy(user, { shop_id: plan.id })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      expect(statuses.filter((s) => s === 409)).toHaveLength(47);
      expect(
        results
          .filter((r) => r.status === 409)
          .every((r) => r.body.code === 'INSUFFICIENT_BALANCE'),
      ).toBe(true);
      const row = await userRow(user.id);
      expect(row.money).toBe('0.50');
      expect(row.transferEnable).toBe(30 * GB); // three additions, none lost
      expect(
        await t.dataSource.getRepository(Bought).countBy({ userid: user.id }),
      ).toBe(3);
      const log = await t.dataSource
        .getRepository(UserMoneyLog)
        .find({ where: { userId: user.id }, order: { id: 'ASC' } });
      expect(log.map((l) => l.after)).toEqual([
        '10.49',
        '7.16',
        '3.83',
        '0.50',
      ]);
      expect(log.every((l) => Number(l.after) >= 0)).toBe(true);
      expect(await ledger.findProblems()).toEqual([]);
      // the three successes extended the same level one after another
      const newest = results
        .filter((r) => r.status === 200)
        .map((r) => Date.parse(r.body.data.new_class_expire))
        .sort((x, y) => x - y);
      expect(newest[2] - newest[0]).toBe(60 * DAY_MS);
    });

    it('a once-per-user coupon is used once by one user however many parallel buys', async () => {
      const user = await signUp(t);
      await giveMoney(t, user.id, 10_000);
      const plan = await createPlan(t, {
        price: '1.00',
        content: { traffic: 1 },
      });
      const coupon = await createCoupon(t, { onetime: 1, credit: 50 });
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          buy(user, { shop_id: plan.id, coupon: coupon.code }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(
        results.filter((r) => r.body.code === 'COUPON_LIMIT_REACHED'),
      ).toHaveLength(9);
      expect(
        (
          await t.dataSource
            .getRepository(Coupon)
            .findOneByOrFail({ id: coupon.id })
        ).used,
      ).toBe(1);
      expect((await userRow(user.id)).money).toBe('99.50');
    });

    it('a coupon with total_limit 2 is used exactly twice by 6 users buying in parallel', async () => {
      const users = await Promise.all(
        Array.from({ length: 6 }, () => signUp(t)),
      );
      for (const u of users) await giveMoney(t, u.id, 1000);
      const plan = await createPlan(t, {
        price: '2.00',
        content: { traffic: 1 },
      });
      const coupon = await createCoupon(t, { onetime: 1, totalLimit: 2 });
      const results = await Promise.all(
        users.map((u) => buy(u, { shop_id: plan.id, coupon: coupon.code })),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(2);
      expect(
        results.filter((r) => r.body.code === 'COUPON_USED_UP'),
      ).toHaveLength(4);
      expect(
        (
          await t.dataSource
            .getRepository(Coupon)
            .findOneByOrFail({ id: coupon.id })
        ).used,
      ).toBe(2);
      expect(
        await t.dataSource
          .getRepository(Bought)
          .countBy({ coupon: coupon.code }),
      ).toBe(2);
      expect(await ledger.findProblems()).toEqual([]);
    });
  });
});
