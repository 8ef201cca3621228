import {
  Payback,
  Paylist,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { PaymentOrderService } from '../../src/modules/payment/payment-order.service.js';
import {
  createOrder,
  EPAY_ENV,
  epayNotify,
  epaySignForTest,
  moneyOf,
  moneySnapshot,
  setRefBy,
} from '../factories/payment.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itOnMysql } from '../utils/modes.js';

describe('payment (e2e, epay + manual gateways)', () => {
  let t: TestApp;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...EPAY_ENV, PUBLIC_URL: 'https://panel.example.com' },
    });
    ledger = t.app.get(LedgerService);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    expect(await ledger.findProblems()).toEqual([]);
  });

  const notifyGet = (gateway: string, params: Record<string, string>) =>
    t.http().get(`${API}/payment/notify/${gateway}`).query(params);
  const notifyPost = (gateway: string, params: Record<string, string>) =>
    t.http().post(`${API}/payment/notify/${gateway}`).type('form').send(params);
  const order = (id: number) =>
    t.dataSource.getRepository(Paylist).findOneByOrFail({ id });

  describe('create', () => {
    it('creates an unpaid order with a signed epay pay URL', async () => {
      const user = await signUp(t);
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .send({ total: 12.5, gateway: 'wechat' })
        .expect(201);
      expect(res.body).toMatchObject({
        ret: 1,
        data: { total: 12.5, status: 0, order_id: expect.any(Number) },
      });
      const data = res.body.data;
      expect(data.tradeno).toMatch(/^[A-Za-z0-9]{10,64}$/);
      expect(Math.abs(data.datetime - Date.now() / 1000)).toBeLessThan(60);

      const url = new URL(data.payment_url);
      expect(`${url.origin}${url.pathname}`).toBe(
        'https://pay.example.com/submit.php',
      );
      const q = Object.fromEntries(url.searchParams);
      expect(q).toMatchObject({
        pid: '1001',
        type: 'wxpay',
        out_trade_no: data.tradeno,
        money: '12.50',
        notify_url:
          'https://panel.example.com/app/api/v0/payment/notify/wechat',
        sign_type: 'MD5',
      });
      expect(q.return_url).toEqual(expect.any(String));
      expect(q.name).toEqual(expect.any(String));
      expect(q.sign).toBe(epaySignForTest(q));

      const row = await order(data.order_id);
      expect(row).toMatchObject({
        userid: user.id,
        total: '12.50',
        status: 0,
        gateway: 'wechat',
        tradeno: data.tradeno,
      });
    });

    it('gives every order a distinct random tradeno; the epay name has no type', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '3.00', 'epay');
      const b = await createOrder(t, user, 3, 'epay');
      expect(a.tradeno).not.toBe(b.tradeno);
      expect(new URL(a.payment_url!).searchParams.has('type')).toBe(false);
    });

    it.each([
      [{ total: 10, gateway: 'stripe' }, 'gateway', 'GATEWAY_UNAVAILABLE'],
      [{ total: 0.5, gateway: 'alipay' }, 'total', 'AMOUNT_OUT_OF_RANGE'],
      [{ total: 10000.01, gateway: 'alipay' }, 'total', 'AMOUNT_OUT_OF_RANGE'],
      [{ total: 1.001, gateway: 'alipay' }, 'total', 'VALIDATION_FAILED'],
      [{ total: 'ten', gateway: 'alipay' }, 'total', 'VALIDATION_FAILED'],
      [{ gateway: 'alipay' }, 'total', 'VALIDATION_FAILED'],
      [{ total: 10, gateway: 'alipay', x: 1 }, 'x', 'VALIDATION_FAILED'],
    ])('refuses %j with 400 naming %s', async (body, field, code) => {
      const user = await signUp(t);
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .send(body)
        .expect(400);
      expect(res.body).toMatchObject({ ret: 0, code });
      expect(res.body.errors).toHaveProperty(field);
      if (code === 'GATEWAY_UNAVAILABLE')
        expect(res.body.msg).toContain('alipay, wechat, epay, manual');
      expect(
        await t.dataSource.getRepository(Paylist).countBy({ userid: user.id }),
      ).toBe(0);
    });

    it('needs a signed-in user', async () => {
      await t
        .http()
        .post(`${API}/payment/create`)
        .send({ total: 10, gateway: 'alipay' })
        .expect(401);
    });
  });

  describe('notify', () => {
    it('a valid notify pays the order, credits the balance once, writes the ledger and pays 20 % to the referrer', async () => {
      const referrer = await signUp(t);
      const payer = await signUp(t);
      await setRefBy(t.dataSource, payer.id, referrer.id);
      const created = await createOrder(t, payer, '12.34');

      const res = await notifyGet('alipay', epayNotify(created)).expect(200);
      expect(res.text).toBe('success');
      expect(res.headers['content-type']).toMatch(/^text\/plain/);

      const row = await order(created.order_id);
      expect(row).toMatchObject({
        status: 1,
        gateway: 'alipay',
        callbackNo: `EP${created.tradeno.slice(-12)}`,
      });
      expect(row.paidAt).toEqual(expect.any(Number));
      expect(await moneyOf(t.dataSource, payer.id)).toBe('12.34');
      // 12.34 × 0.2 = 2.468 → 2.47 (half-up, in cents)
      expect(await moneyOf(t.dataSource, referrer.id)).toBe('2.47');
      const logs = t.dataSource.getRepository(UserMoneyLog);
      expect(await logs.findBy({ userId: payer.id })).toEqual([
        expect.objectContaining({
          reason: 'topup',
          amount: '12.34',
          before: '0.00',
          after: '12.34',
          refType: 'paylist',
          refId: created.order_id,
        }),
      ]);
      const paybacks = await t.dataSource
        .getRepository(Payback)
        .findBy({ paylistId: created.order_id });
      expect(paybacks).toEqual([
        expect.objectContaining({
          total: '12.34',
          userid: payer.id,
          refBy: referrer.id,
          refGet: '2.47',
          level: 1,
        }),
      ]);
      expect(await logs.findBy({ userId: referrer.id })).toEqual([
        expect.objectContaining({
          reason: 'commission',
          amount: '2.47',
          refType: 'payback',
          refId: paybacks[0].id,
        }),
      ]);

      // A replay is acknowledged and changes nothing.
      const before = await moneySnapshot(t.dataSource);
      const again = await notifyPost('alipay', epayNotify(created)).expect(200);
      expect(again.text).toBe('success');
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
    });

    it('accepts the notify as a POSTed form', async () => {
      const payer = await signUp(t);
      const created = await createOrder(t, payer, 5, 'wechat');
      const res = await notifyPost(
        'wechat',
        epayNotify(created, { type: 'wxpay' }),
      ).expect(200);
      expect(res.text).toBe('success');
      expect(await moneyOf(t.dataSource, payer.id)).toBe('5.00');
    });

    itOnMysql(
      '100 identical valid notifies in parallel credit once and pay one commission',
      async () => {
        const referrer = await signUp(t);
        const payer = await signUp(t);
        await setRefBy(t.dataSource, payer.id, referrer.id);
        const created = await createOrder(t, payer, '50.00');
        const params = epayNotify(created);

        const replies = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            i % 2 === 0
              ? notifyGet('alipay', params)
              : notifyPost('alipay', params),
          ),
        );
        expect(replies.map((r) => `${r.status} ${r.text}`)).toEqual(
          replies.map(() => '200 success'),
        );
        expect(await moneyOf(t.dataSource, payer.id)).toBe('50.00');
        expect(await moneyOf(t.dataSource, referrer.id)).toBe('10.00');
        const logs = t.dataSource.getRepository(UserMoneyLog);
        expect(await logs.countBy({ userId: payer.id, reason: 'topup' })).toBe(
          1,
        );
        expect(
          await logs.countBy({ userId: referrer.id, reason: 'commission' }),
        ).toBe(1);
        expect(
          await t.dataSource
            .getRepository(Payback)
            .countBy({ paylistId: created.order_id }),
        ).toBe(1);
        expect((await order(created.order_id)).status).toBe(1);
      },
    );

    describe('a bad notify changes nothing and replies fail', () => {
      let created: Awaited<ReturnType<typeof createOrder>>;
      beforeAll(async () => {
        const referrer = await signUp(t);
        const payer = await signUp(t);
        await setRefBy(t.dataSource, payer.id, referrer.id);
        created = await createOrder(t, payer, '20.00');
      });

      const cases: [string, () => [string, Record<string, string>]][] = [
        [
          'bad signature',
          () => ['alipay', { ...epayNotify(created), sign: '0'.repeat(32) }],
        ],
        [
          'signed with another key',
          () => ['alipay', epayNotify(created, {}, 'not-our-key')],
        ],
        [
          'a parameter changed after signing',
          () => ['alipay', { ...epayNotify(created), money: '2000.00' }],
        ],
        [
          'no signature',
          () => ['alipay', { ...epayNotify(created), sign: '' }],
        ],
        ['wrong pid', () => ['alipay', epayNotify(created, { pid: '1002' })]],
        [
          'amount one cent short',
          () => ['alipay', epayNotify(created, { money: '19.99' })],
        ],
        [
          'amount one cent over',
          () => ['alipay', epayNotify(created, { money: '20.01' })],
        ],
        [
          'unknown order',
          () => ['alipay', epayNotify(created, { out_trade_no: 'nope123' })],
        ],
        ['unknown gateway', () => ['paypal', epayNotify(created)]],
        [
          "a gateway sharing the merchant key but not the order's",
          () => ['wechat', epayNotify(created, { type: 'wxpay' })],
        ],
        [
          'the manual gateway (no callback)',
          () => ['manual', epayNotify(created)],
        ],
        [
          'trade_status not success',
          () => [
            'alipay',
            epayNotify(created, { trade_status: 'WAIT_BUYER_PAY' }),
          ],
        ],
        ['no parameters at all', () => ['alipay', {}]],
      ];

      it.each(cases)('%s', async (_, make) => {
        const [gateway, params] = make();
        const before = await moneySnapshot(t.dataSource);
        const get = await notifyGet(gateway, params);
        const post = await notifyPost(gateway, params);
        for (const res of [get, post]) {
          expect(res.status).toBe(400);
          expect(res.text).toBe('fail');
        }
        expect(await moneySnapshot(t.dataSource)).toEqual(before);
        expect((await order(created.order_id)).status).toBe(0);
      });

      it('the same order still pays with a good notify afterwards', async () => {
        const res = await notifyGet('alipay', epayNotify(created)).expect(200);
        expect(res.text).toBe('success');
        expect((await order(created.order_id)).status).toBe(1);
      });
    });

    it("a signed notify does not pay (nor re-label) a manual order: the order's gateway must match", async () => {
      const payer = await signUp(t);
      const manual = await createOrder(t, payer, '15.00', 'manual');
      const before = await moneySnapshot(t.dataSource);
      for (const gateway of ['wechat', 'alipay', 'epay']) {
        const res = await notifyGet(gateway, epayNotify(manual));
        expect(res.status).toBe(400);
        expect(res.text).toBe('fail');
      }
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
      const row = await order(manual.order_id);
      expect(row.status).toBe(0);
      expect(row.gateway).toBe('manual');
    });

    it('an order that expired unpaid is still credited when its money arrives', async () => {
      const payer = await signUp(t);
      const created = await createOrder(t, payer, 7);
      const expiry = t.app.get(PaymentOrderService);
      await expiry.expireUnpaidOrders({
        now: new Date(Date.now() + 7200_000),
        dryRun: false,
      });
      expect((await order(created.order_id)).status).toBe(-1);
      const res = await notifyGet('alipay', epayNotify(created)).expect(200);
      expect(res.text).toBe('success');
      expect((await order(created.order_id)).status).toBe(1);
      expect(await moneyOf(t.dataSource, payer.id)).toBe('7.00');
    });
  });

  describe('expireUnpaidOrders (hourly step)', () => {
    it('expires only unpaid orders older than PAYMENT_EXPIRE_S; a dry run only counts', async () => {
      const user = await signUp(t);
      const old = await createOrder(t, user, 1);
      const paid = await createOrder(t, user, 2);
      const fresh = await createOrder(t, user, 3);
      await notifyGet('alipay', epayNotify(paid)).expect(200);
      const now = Math.floor(Date.now() / 1000);
      const repo = t.dataSource.getRepository(Paylist);
      await repo.update({ id: old.order_id }, { datetime: now - 3601 });
      await repo.update({ id: paid.order_id }, { datetime: now - 3601 });
      // Other tests' orders are fresh: only `old` is due.
      const service = t.app.get(PaymentOrderService);
      const ctx = { now: new Date(now * 1000), dryRun: true };
      expect(await service.expireUnpaidOrders(ctx)).toBe(1);
      expect((await order(old.order_id)).status).toBe(0);
      expect(await service.expireUnpaidOrders({ ...ctx, dryRun: false })).toBe(
        1,
      );
      expect((await order(old.order_id)).status).toBe(-1);
      expect((await order(paid.order_id)).status).toBe(1);
      expect((await order(fresh.order_id)).status).toBe(0);
      expect(await service.expireUnpaidOrders({ ...ctx, dryRun: false })).toBe(
        0,
      );
      expect(await repo.countBy({ id: old.order_id })).toBe(1);
    });
  });

  describe("the user's orders", () => {
    it('lists own orders only, filters by status, and shows status', async () => {
      const [me, other] = [await signUp(t), await signUp(t)];
      const a = await createOrder(t, me, 1);
      const b = await createOrder(t, me, 2, 'manual');
      const theirs = await createOrder(t, other, 3);
      await notifyGet('alipay', epayNotify(a)).expect(200);

      const all = await t
        .http()
        .get(`${API}/payment/orders`)
        .set(me.auth)
        .expect(200);
      expect(all.body.data.count).toBe(2);
      expect(all.body.data.orders).toEqual([
        {
          id: b.order_id,
          total: 2,
          status: 0,
          tradeno: b.tradeno,
          datetime: expect.any(Number),
          gateway: 'manual',
        },
        expect.objectContaining({ id: a.order_id, total: 1, status: 1 }),
      ]);
      const paid = await t
        .http()
        .get(`${API}/payment/orders?status=1`)
        .set(me.auth)
        .expect(200);
      expect(paid.body.data.orders.map((o: { id: number }) => o.id)).toEqual([
        a.order_id,
      ]);
      await t
        .http()
        .get(`${API}/payment/orders?status=2`)
        .set(me.auth)
        .expect(400);
      // The documented page bounds of every list: limit 1–100.
      for (const limit of [0, 101])
        await t
          .http()
          .get(`${API}/payment/orders?limit=${limit}`)
          .set(me.auth)
          .expect(400);
      await t
        .http()
        .get(`${API}/payment/orders?limit=100`)
        .set(me.auth)
        .expect(200);

      const status = await t
        .http()
        .get(`${API}/payment/status/${a.order_id}`)
        .set(me.auth)
        .expect(200);
      expect(status.body.data).toEqual({
        order_id: a.order_id,
        status: 1,
        total: 1,
        tradeno: a.tradeno,
      });
      const hidden = await t
        .http()
        .get(`${API}/payment/status/${theirs.order_id}`)
        .set(me.auth)
        .expect(404);
      expect(hidden.body).toMatchObject({ ret: 0, code: 'ORDER_NOT_FOUND' });
      await t
        .http()
        .get(`${API}/payment/status/999999`)
        .set(me.auth)
        .expect(404);
      await t.http().get(`${API}/payment/status/abc`).set(me.auth).expect(400);
    });

    it('checkout redirects to the pay page, gives manual orders as data, refuses others', async () => {
      const [me, other] = [await signUp(t), await signUp(t)];
      const epay = await createOrder(t, me, 9, 'alipay');
      const manual = await createOrder(t, me, 9, 'manual');
      const theirs = await createOrder(t, other, 9);

      const redirect = await t
        .http()
        .get(`${API}/payment/checkout/${epay.order_id}`)
        .set(me.auth)
        .expect(302);
      expect(redirect.headers.location).toBe(epay.payment_url);
      const data = await t
        .http()
        .get(`${API}/payment/checkout/${manual.order_id}`)
        .set(me.auth)
        .expect(200);
      expect(data.body).toEqual({
        ret: 1,
        msg: 'ok',
        data: {
          order_id: manual.order_id,
          gateway: 'manual',
          payment_url: null,
          qr_code: null,
        },
      });
      await t
        .http()
        .get(`${API}/payment/checkout/${theirs.order_id}`)
        .set(me.auth)
        .expect(404);
      await notifyGet('alipay', epayNotify(epay)).expect(200);
      const paid = await t
        .http()
        .get(`${API}/payment/checkout/${epay.order_id}`)
        .set(me.auth)
        .expect(409);
      expect(paid.body.code).toBe('ORDER_ALREADY_PAID');
    });

    it('the manual gateway creates an order without a pay URL', async () => {
      const me = await signUp(t);
      const created = await createOrder(t, me, 10, 'manual');
      expect(created.payment_url).toBeNull();
    });
  });

  it('debug/confirm is not registered when PAYMENT_DEBUG is off (404)', async () => {
    const me = await signUp(t);
    const created = await createOrder(t, me, 10, 'manual');
    const res = await t
      .http()
      .post(`${API}/payment/debug/confirm`)
      .set(me.auth)
      .send({ order_id: created.order_id })
      .expect(404);
    expect(res.body.ret).toBe(0);
    expect(await moneyOf(t.dataSource, me.id)).toBe('0.00');
    expect((await order(created.order_id)).status).toBe(0);
  });
});
