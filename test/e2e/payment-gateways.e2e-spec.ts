import {
  PaymentCallback,
  PaymentCheckout,
  Paylist,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import {
  alipayNotify,
  bepusdtCallback,
  GatewayKeys,
  gatewayEnv,
  makeGatewayKeys,
  stripeSessionEvent,
} from '../factories/gateway.factory.js';
import {
  createOrder,
  CreatedOrder,
  EPAY_ENV,
  epayNotify,
  moneyOf,
  moneySnapshot,
} from '../factories/payment.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { FakeGateways } from '../utils/fake-gateways.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

/** Row locks are a MariaDB/MySQL claim; the embedded mode serialises transactions instead. */
const onMysql = Boolean(process.env.DATABASE_URL);
const itMysql = onMysql ? it : it.skip;
const itSqlite = onMysql ? it.skip : it;

const NOTIFY_BASE = 'https://notify-origin.example.com';

describe('payment gateways (e2e: Stripe, Alipay F2F, BEPUSDT, epay against local fakes)', () => {
  let t: TestApp;
  let fake: FakeGateways;
  let keys: GatewayKeys;
  let ledger: LedgerService;
  let admin: SignedInUser;

  beforeAll(async () => {
    keys = makeGatewayKeys();
    fake = new FakeGateways({
      stripeSecretKey: keys.stripeSecretKey,
      alipayAppPublicKey: keys.appKeys.publicKey,
      alipayPrivateKey: keys.alipayKeys.privateKey,
      bepusdtToken: keys.bepusdtToken,
    });
    const base = await fake.start();
    t = await createTestApp({
      env: {
        ...EPAY_ENV,
        ...gatewayEnv(keys, base),
        PUBLIC_URL: 'https://panel.example.com',
        PAYMENT_NOTIFY_URL: NOTIFY_BASE,
      },
    });
    ledger = t.app.get(LedgerService);
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });
  afterEach(async () => {
    expect(await ledger.findProblems()).toEqual([]);
    expect(fake.badRequests).toBe(0);
  });

  const order = (id: number) =>
    t.dataSource.getRepository(Paylist).findOneByOrFail({ id });
  const topups = (userId: number) =>
    t.dataSource
      .getRepository(UserMoneyLog)
      .countBy({ userId, reason: 'topup' });
  const callbacksOf = (orderId: number) =>
    t.dataSource
      .getRepository(PaymentCallback)
      .find({ where: { paylistId: orderId }, order: { id: 'ASC' } });

  const stripeHook = (
    d: { payload: string; header: string },
    method: 'get' | 'post' = 'post',
  ) =>
    t
      .http()
      [method](`${API}/payment/notify/stripe`)
      .set('stripe-signature', d.header)
      .set('content-type', 'application/json')
      .send(d.payload);
  const notifyGet = (gateway: string, params: Record<string, unknown>) =>
    t
      .http()
      .get(`${API}/payment/notify/${gateway}`)
      .query(params as Record<string, string>);
  const notifyForm = (gateway: string, params: Record<string, string>) =>
    t.http().post(`${API}/payment/notify/${gateway}`).type('form').send(params);
  const notifyJson = (gateway: string, body: Record<string, unknown>) =>
    t.http().post(`${API}/payment/notify/${gateway}`).send(body);
  const reconcile = () =>
    t.http().post(`${API}/admin/payment/reconcile`).set(admin.auth).expect(200);
  const cents = (o: CreatedOrder) => Math.round(o.total * 100);

  it('lists the enabled gateways with currency and bounds', async () => {
    const user = await signUp(t);
    const res = await t
      .http()
      .get(`${API}/payment/gateways`)
      .set(user.auth)
      .expect(200);
    expect(res.body.data.gateways).toEqual([
      { name: 'alipay', currency: 'CNY', min: 1, max: 10000 },
      { name: 'wechat', currency: 'CNY', min: 1, max: 10000 },
      { name: 'epay', currency: 'CNY', min: 1, max: 10000 },
      { name: 'stripe', currency: 'USD', min: 1, max: 10000 },
      { name: 'alipay_f2f', currency: 'CNY', min: 1, max: 10000 },
      { name: 'bepusdt', currency: 'CNY', min: 1, max: 10000 },
      { name: 'manual', currency: null, min: 1, max: 10000 },
    ]);
    await t.http().get(`${API}/payment/gateways`).expect(401);
  });

  describe('stripe', () => {
    const secret = () => keys.stripeWebhookSecret;
    const paidEvent = (o: CreatedOrder, extra = {}) =>
      stripeSessionEvent(
        { tradeno: o.tradeno, amountTotal: cents(o), ...extra },
        { secret: secret() },
      );

    it('creates a Checkout Session carrying the tradeno; the checkout route redirects to it', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '12.50', 'stripe');
      const session = [...fake.stripeSessions.values()].find(
        (s) => s.client_reference_id === created.tradeno,
      );
      expect(session).toMatchObject({
        metadata: { tradeno: created.tradeno },
        amount_total: 1250,
        currency: 'usd',
      });
      expect(created.payment_url).toBe(session!.url);
      const checkout = await t.dataSource
        .getRepository(PaymentCheckout)
        .findOneByOrFail({ paylistId: created.order_id });
      expect(checkout).toMatchObject({
        gateway: 'stripe',
        currency: 'USD',
        ref: session!.id,
      });
      const redirect = await t
        .http()
        .get(`${API}/payment/checkout/${created.order_id}`)
        .set(user.auth)
        .expect(302);
      expect(redirect.headers.location).toBe(session!.url);
      // The checkout route reuses the session: one payable session per order.
      expect(
        [...fake.stripeSessions.values()].filter(
          (s) => s.client_reference_id === created.tradeno,
        ),
      ).toHaveLength(1);
    });

    it('a gateway outage at creation answers 502 and charges nothing; checkout starts the session later', async () => {
      const user = await signUp(t);
      fake.failNext = 2; // the SDK retries once
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .send({ total: 8, gateway: 'stripe' })
        .expect(502);
      expect(res.body).toMatchObject({ ret: 0, code: 'GATEWAY_FAILED' });
      const [row] = await t.dataSource
        .getRepository(Paylist)
        .findBy({ userid: user.id });
      expect(row).toMatchObject({ status: 0, gateway: 'stripe' });
      const redirect = await t
        .http()
        .get(`${API}/payment/checkout/${row.id}`)
        .set(user.auth)
        .expect(302);
      const session = [...fake.stripeSessions.values()].find(
        (s) => s.client_reference_id === row.tradeno,
      );
      expect(redirect.headers.location).toBe(session!.url);
    });

    it('a webhook built with the package helper credits the order (POST, and GET with the body)', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '5.00', 'stripe');
      const res = await stripeHook(paidEvent(a)).expect(200);
      expect(res.text).toBe('ok');
      expect(await order(a.order_id)).toMatchObject({
        status: 1,
        gateway: 'stripe',
      });
      const b = await createOrder(t, user, '6.00', 'stripe');
      await stripeHook(paidEvent(b), 'get').expect(200);
      expect(await moneyOf(t.dataSource, user.id)).toBe('11.00');
      expect(await topups(user.id)).toBe(2);
    });

    const parallelDeliveries = async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '50.00', 'stripe');
      const delivery = paidEvent(created);
      const replies = await Promise.all(
        Array.from({ length: 50 }, () => stripeHook(delivery)),
      );
      expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
      expect(await moneyOf(t.dataSource, user.id)).toBe('50.00');
      expect(await topups(user.id)).toBe(1);
      const outcomes = (await callbacksOf(created.order_id)).map(
        (c) => c.outcome,
      );
      expect(outcomes.filter((o) => o === 'credited')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already_paid')).toHaveLength(49);
    };
    itMysql(
      '50 parallel deliveries of one webhook credit once (MariaDB: concurrent transactions, row locks)',
      parallelDeliveries,
    );
    itSqlite(
      "50 parallel deliveries of one webhook credit once (SQLite: the serializer's one transaction at a time)",
      parallelDeliveries,
    );

    it('a wrong secret, a stale timestamp, a changed body or no signature is refused; a non-paid session or another event is acknowledged; nothing is credited', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '20.00', 'stripe');
      const good = paidEvent(created);
      const before = await moneySnapshot(t.dataSource);
      const refused = [
        stripeSessionEvent(
          { tradeno: created.tradeno, amountTotal: 2000 },
          { secret: 'whsec_not_ours' },
        ),
        stripeSessionEvent(
          { tradeno: created.tradeno, amountTotal: 2000 },
          { secret: secret(), timestamp: Math.floor(Date.now() / 1000) - 600 },
        ),
        {
          header: good.header,
          payload: good.payload.replace(
            '"amount_total":2000',
            '"amount_total":200000',
          ),
        },
        { header: 't=1,v1=00', payload: good.payload },
      ];
      for (const d of refused) {
        const res = await stripeHook(d);
        expect([res.status, res.text]).toEqual([400, 'fail']);
      }
      const res = await t
        .http()
        .post(`${API}/payment/notify/stripe`)
        .set('content-type', 'application/json')
        .send(good.payload);
      expect(res.status).toBe(400);
      for (const d of [
        paidEvent(created, { paymentStatus: 'unpaid' }),
        stripeSessionEvent(
          { tradeno: created.tradeno, amountTotal: 2000 },
          { secret: secret(), type: 'payment_intent.created' },
        ),
      ]) {
        const ack = await stripeHook(d);
        expect([ack.status, ack.text]).toEqual([200, 'ok']);
      }
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
      expect((await order(created.order_id)).status).toBe(0);
      expect(
        (await callbacksOf(created.order_id)).map((c) => c.outcome),
      ).toEqual(['ignored']);
      // A paid delivery afterwards still pays the order.
      await stripeHook(paidEvent(created)).expect(200);
      expect(await moneyOf(t.dataSource, user.id)).toBe('20.00');
    });

    it('credits on checkout.session.async_payment_succeeded and on an endpoint of another API version', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '3.00', 'stripe');
      await stripeHook(
        stripeSessionEvent(
          { tradeno: a.tradeno, amountTotal: 300 },
          {
            secret: secret(),
            type: 'checkout.session.async_payment_succeeded',
          },
        ),
      ).expect(200);
      const b = await createOrder(t, user, '4.00', 'stripe');
      await stripeHook(
        stripeSessionEvent(
          { tradeno: b.tradeno, amountTotal: 400 },
          { secret: secret(), apiVersion: '2019-02-19' },
        ),
      ).expect(200);
      expect(await moneyOf(t.dataSource, user.id)).toBe('7.00');
    });

    it('an amount or currency that differs is recorded as a mismatch and refused, never credited', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '9.00', 'stripe');
      await stripeHook(paidEvent(created, { amountTotal: 899 })).expect(400);
      await stripeHook(paidEvent(created, { currency: 'eur' })).expect(400);
      expect(await moneyOf(t.dataSource, user.id)).toBe('0.00');
      const records = await callbacksOf(created.order_id);
      expect(records.map((r) => [r.outcome, r.amount, r.currency])).toEqual([
        ['mismatch', '8.99', 'USD'],
        ['mismatch', '9.00', 'EUR'],
      ]);
    });
  });

  describe('alipay_f2f', () => {
    const notify = (o: CreatedOrder, overrides: Record<string, string> = {}) =>
      alipayNotify(
        { tradeno: o.tradeno, totalAmount: o.money },
        keys,
        overrides,
      );

    it('precreate gives the QR code (signed request, signed answer); the checkout route answers with it', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '18.80', 'alipay_f2f');
      const trade = fake.alipayTrades.get(created.tradeno);
      expect(trade).toMatchObject({
        total_amount: '18.80',
        notify_url: `${NOTIFY_BASE}/app/api/v0/payment/notify/alipay_f2f`,
      });
      const res = await t
        .http()
        .post(`${API}/payment/create`)
        .set(user.auth)
        .send({ total: 1, gateway: 'alipay_f2f' })
        .expect(201);
      expect(res.body.data.qr_code).toMatch(/^https:\/\/qr\.alipay\.com\//);
      const checkout = await t
        .http()
        .get(`${API}/payment/checkout/${created.order_id}`)
        .set(user.auth)
        .expect(200);
      expect(checkout.body.data).toMatchObject({
        gateway: 'alipay_f2f',
        qr_code: created.payment_url,
      });
    });

    it('a notify signed with the test key pair is credited, by POST form and by GET', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '10.00', 'alipay_f2f');
      const res = await notifyForm('alipay_f2f', notify(a)).expect(200);
      expect(res.text).toBe('success');
      const b = await createOrder(t, user, '2.50', 'alipay_f2f');
      await notifyGet(
        'alipay_f2f',
        notify(b, { trade_status: 'TRADE_FINISHED' }),
      ).expect(200);
      expect(await moneyOf(t.dataSource, user.id)).toBe('12.50');
      expect((await order(a.order_id)).callbackNo).toBe(notify(a).trade_no);
    });

    it('a tampered field, a wrong app_id, a wrong amount or another signer is refused; a waiting trade is acknowledged; nothing credited', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '30.00', 'alipay_f2f');
      const before = await moneySnapshot(t.dataSource);
      const cases: Record<string, string>[] = [
        { ...notify(created), total_amount: '0.01' },
        { ...notify(created), buyer_logon_id: 'someone@else' },
        notify(created, { app_id: '2021999999999999' }),
        notify(created, { total_amount: '29.99', receipt_amount: '29.99' }),
        alipayNotify(
          { tradeno: created.tradeno, totalAmount: '30.00' },
          keys,
          {},
          keys.appKeys.privateKey,
        ),
        { ...notify(created), sign: '' },
      ];
      for (const params of cases) {
        const res = await notifyForm('alipay_f2f', params);
        expect([res.status, res.text]).toEqual([400, 'fail']);
      }
      const waiting = await notifyForm(
        'alipay_f2f',
        notify(created, { trade_status: 'WAIT_BUYER_PAY' }),
      );
      expect([waiting.status, waiting.text]).toEqual([200, 'success']);
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
      expect(
        (await callbacksOf(created.order_id)).map((c) => c.outcome),
      ).toEqual(['mismatch', 'ignored']);
    });
  });

  describe('bepusdt', () => {
    const callback = (
      o: CreatedOrder,
      overrides: Record<string, unknown> = {},
    ) =>
      bepusdtCallback(
        { tradeno: o.tradeno, amount: o.total },
        keys.bepusdtToken,
        overrides,
      );

    it('create-transaction is signed; the JSON callback (status 2) is credited and its USDT amount and transaction recorded', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '12.50', 'bepusdt');
      const remote = [...fake.bepusdtOrders.values()].find(
        (o) => o.order_id === created.tradeno,
      );
      expect(remote).toMatchObject({
        amount: 12.5,
        notify_url: `${NOTIFY_BASE}/app/api/v0/payment/notify/bepusdt`,
      });
      expect(created.payment_url).toContain(remote!.trade_id);
      const body = callback(created, { trade_id: remote!.trade_id });
      const res = await notifyJson('bepusdt', body).expect(200);
      expect(res.text).toBe('ok');
      expect(await moneyOf(t.dataSource, user.id)).toBe('12.50');
      const list = await t
        .http()
        .get(`${API}/admin/payment/callbacks?order_id=${created.order_id}`)
        .set(admin.auth)
        .expect(200);
      expect(list.body.data).toEqual({
        count: 1,
        callbacks: [
          expect.objectContaining({
            gateway: 'bepusdt',
            source: 'notify',
            order_id: created.order_id,
            outcome: 'credited',
            amount: 12.5,
            currency: 'CNY',
            reference: remote!.trade_id,
            detail: {
              actual_amount: '1.39',
              block_transaction_id: body.block_transaction_id,
              token: body.token,
            },
          }),
        ],
      });
    });

    it('the callback by GET (query string) and by POST form is accepted too', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '1.00', 'bepusdt');
      await notifyGet('bepusdt', callback(a)).expect(200);
      const b = await createOrder(t, user, '2.00', 'bepusdt');
      const form = Object.fromEntries(
        Object.entries(callback(b)).map(([k, v]) => [k, String(v)]),
      );
      await notifyForm('bepusdt', form).expect(200);
      expect(await moneyOf(t.dataSource, user.id)).toBe('3.00');
    });

    it('status 1 or 3, a wrong amount or a bad signature is refused; nothing credited', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '8.00', 'bepusdt');
      const before = await moneySnapshot(t.dataSource);
      for (const body of [
        callback(created, { status: 1 }),
        callback(created, { status: 3 }),
        callback(created, { amount: 7.99 }),
        callback(created, { amount: 80 }),
        { ...callback(created), actual_amount: 0.01 },
        bepusdtCallback(
          { tradeno: created.tradeno, amount: 8 },
          'not-the-token',
        ),
      ]) {
        const res = await notifyJson('bepusdt', body);
        expect([res.status, res.text]).toEqual([400, 'fail']);
      }
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
      expect(
        (await callbacksOf(created.order_id)).map((c) => c.outcome),
      ).toEqual(['mismatch', 'mismatch']);
    });
  });

  describe('epay', () => {
    it('the notify is accepted by GET, POST form and POST JSON; its notify_url follows PAYMENT_NOTIFY_URL', async () => {
      const user = await signUp(t);
      const a = await createOrder(t, user, '1.00', 'alipay');
      expect(new URL(a.payment_url!).searchParams.get('notify_url')).toBe(
        `${NOTIFY_BASE}/app/api/v0/payment/notify/alipay`,
      );
      expect(new URL(a.payment_url!).searchParams.get('return_url')).toBe(
        'https://panel.example.com/',
      );
      await notifyGet('alipay', epayNotify(a)).expect(200);
      const b = await createOrder(t, user, '2.00', 'alipay');
      await notifyForm('alipay', epayNotify(b)).expect(200);
      const c = await createOrder(t, user, '3.00', 'alipay');
      const res = await notifyJson('alipay', epayNotify(c)).expect(200);
      expect(res.text).toBe('success');
      expect(await moneyOf(t.dataSource, user.id)).toBe('6.00');
    });
  });

  describe("another gateway's order is refused", () => {
    it('for epay, Stripe, Alipay F2F and BEPUSDT alike; nothing credited, each attempt recorded', async () => {
      const user = await signUp(t);
      const wechat = await createOrder(t, user, '4.00', 'wechat');
      const onBepusdt = await createOrder(t, user, '4.00', 'bepusdt');
      const onStripe = await createOrder(t, user, '4.00', 'stripe');
      const onAlipayF2f = await createOrder(t, user, '4.00', 'alipay_f2f');
      const before = await moneySnapshot(t.dataSource);
      const attempts = [
        notifyGet('alipay', epayNotify(wechat)),
        stripeHook(
          stripeSessionEvent(
            { tradeno: onBepusdt.tradeno, amountTotal: 400 },
            { secret: keys.stripeWebhookSecret },
          ),
        ),
        notifyForm(
          'alipay_f2f',
          alipayNotify(
            { tradeno: onStripe.tradeno, totalAmount: '4.00' },
            keys,
          ),
        ),
        notifyJson(
          'bepusdt',
          bepusdtCallback(
            { tradeno: onAlipayF2f.tradeno, amount: 4 },
            keys.bepusdtToken,
          ),
        ),
      ];
      for (const res of await Promise.all(attempts))
        expect([res.status, res.text]).toEqual([400, 'fail']);
      expect(await moneySnapshot(t.dataSource)).toEqual(before);
      for (const [o, belongs] of [
        [wechat, 'wechat'],
        [onBepusdt, 'bepusdt'],
        [onStripe, 'stripe'],
        [onAlipayF2f, 'alipay_f2f'],
      ] as const) {
        expect((await callbacksOf(o.order_id)).map((c) => c.reason)).toEqual([
          `the order belongs to gateway ${belongs}`,
        ]);
      }
    });
  });

  describe('reconciliation', () => {
    /** Marks the order paid at the fake gateway and returns its late callback. */
    const payAtGateway = {
      stripe: (o: CreatedOrder) => {
        const session = [...fake.stripeSessions.values()].find(
          (s) => s.client_reference_id === o.tradeno,
        )!;
        session.payment_status = 'paid';
        session.status = 'complete';
        return () =>
          stripeHook(
            stripeSessionEvent(
              { tradeno: o.tradeno, amountTotal: cents(o), id: session.id },
              { secret: keys.stripeWebhookSecret },
            ),
          );
      },
      alipay_f2f: (o: CreatedOrder) => {
        const trade = fake.alipayTrades.get(o.tradeno)!;
        trade.trade_status = 'TRADE_SUCCESS';
        return () =>
          notifyForm(
            'alipay_f2f',
            alipayNotify(
              {
                tradeno: o.tradeno,
                totalAmount: o.money,
                tradeNo: trade.trade_no,
              },
              keys,
            ),
          );
      },
      bepusdt: (o: CreatedOrder) => {
        const remote = [...fake.bepusdtOrders.values()].find(
          (r) => r.order_id === o.tradeno,
        )!;
        remote.status = 2;
        return () =>
          notifyJson(
            'bepusdt',
            bepusdtCallback(
              { tradeno: o.tradeno, amount: o.total, tradeId: remote.trade_id },
              keys.bepusdtToken,
            ),
          );
      },
    };

    it.each(['stripe', 'alipay_f2f', 'bepusdt'] as const)(
      '%s: an order whose callback never came is credited once; unpaid ones are left alone',
      async (gateway) => {
        const user = await signUp(t);
        const paid = await createOrder(t, user, '15.00', gateway);
        const unpaid = await createOrder(t, user, '16.00', gateway);
        payAtGateway[gateway](paid);
        const first = await reconcile();
        expect(first.body.data.credited).toBe(1);
        expect(first.body.data.failed).toBe(0);
        expect(await order(paid.order_id)).toMatchObject({
          status: 1,
          gateway,
        });
        expect((await order(unpaid.order_id)).status).toBe(0);
        expect(await moneyOf(t.dataSource, user.id)).toBe('15.00');
        expect(
          (await callbacksOf(paid.order_id)).map((c) => [c.source, c.outcome]),
        ).toEqual([['reconcile', 'credited']]);
        const again = await reconcile();
        expect(again.body.data.credited).toBe(0);
        expect(await topups(user.id)).toBe(1);
      },
    );

    it.each(['stripe', 'alipay_f2f', 'bepusdt'] as const)(
      '%s: reconciliation and the late callback at the same moment credit exactly once',
      async (gateway) => {
        const user = await signUp(t);
        const created = await createOrder(t, user, '21.00', gateway);
        const lateCallback = payAtGateway[gateway](created);
        const [run, late] = await Promise.all([reconcile(), lateCallback()]);
        expect(late.status).toBe(200);
        expect(await moneyOf(t.dataSource, user.id)).toBe('21.00');
        expect(await topups(user.id)).toBe(1);
        const outcomes = (await callbacksOf(created.order_id)).map(
          (c) => c.outcome,
        );
        expect(outcomes.filter((o) => o === 'credited')).toHaveLength(1);
        expect(run.body.data.failed).toBe(0);
      },
    );

    it('runs as the hourly job step reconcile_orders, before unpaid orders expire', async () => {
      const user = await signUp(t);
      const created = await createOrder(t, user, '7.00', 'bepusdt');
      // Created long ago: the expiry would take it, but it was paid.
      await t.dataSource
        .getRepository(Paylist)
        .update(
          { id: created.order_id },
          { datetime: Math.floor(Date.now() / 1000) - 7200 },
        );
      payAtGateway.bepusdt(created);
      const res = await t
        .http()
        .post(`${API}/admin/jobs/hourly/run`)
        .set(admin.auth)
        .send({})
        .expect(200);
      expect(res.body.data.steps.reconcile_orders).toMatchObject({
        affected: 1,
      });
      expect(await order(created.order_id)).toMatchObject({ status: 1 });
      expect(await moneyOf(t.dataSource, user.id)).toBe('7.00');
    });
  });

  it('/metrics counts callbacks by gateway and outcome and keeps the last success per gateway', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toMatch(
      /panel_payment_callbacks_total\{gateway="stripe",outcome="credited"\} [1-9]/,
    );
    expect(res.text).toMatch(
      /panel_payment_callbacks_total\{gateway="bepusdt",outcome="mismatch"\} [1-9]/,
    );
    const last =
      /panel_payment_last_successful_callback_timestamp_seconds\{gateway="alipay_f2f"\} (\d+)/.exec(
        res.text,
      );
    expect(Math.abs(Number(last?.[1]) - Date.now() / 1000)).toBeLessThan(600);
    // An unknown gateway name never becomes a label of its own.
    await t.http().get(`${API}/payment/notify/not-a-gateway-xyz`).expect(400);
    const after = await t.http().get('/metrics').expect(200);
    expect(after.text).not.toContain('not-a-gateway-xyz');
    expect(after.text).toMatch(
      /panel_payment_callbacks_total\{gateway="unknown",outcome="rejected"\} [1-9]/,
    );
  });

  it('the callback list is admin-only and filters by gateway and outcome', async () => {
    const user = await signUp(t);
    await t
      .http()
      .get(`${API}/admin/payment/callbacks`)
      .set(user.auth)
      .expect(403);
    const res = await t
      .http()
      .get(
        `${API}/admin/payment/callbacks?gateway=stripe&outcome=mismatch&limit=100`,
      )
      .set(admin.auth)
      .expect(200);
    expect(res.body.data.count).toBeGreaterThan(0);
    for (const c of res.body.data.callbacks)
      expect(c).toMatchObject({ gateway: 'stripe', outcome: 'mismatch' });
    await t
      .http()
      .get(`${API}/admin/payment/callbacks?outcome=paid`)
      .set(admin.auth)
      .expect(400);
  });
});
