import {
  Payback,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { PaymentCreditService } from '../../src/modules/payment/payment-credit.service.js';
import { ReferralClawbackService } from '../../src/modules/referral/referral-clawback.service.js';
import {
  createOrder,
  moneyOf,
  moneySnapshot,
  setRefBy,
} from '../factories/payment.factory.js';
import { SignedInUser, signUp, updateUser } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itOnMysql } from '../utils/modes.js';

/** Pays a manual order through the one crediting path, as an admin would. */
async function pay(
  t: TestApp,
  user: SignedInUser,
  total: string,
): Promise<number> {
  const order = await createOrder(t, user, total, 'manual');
  const result = await t.app.get(PaymentCreditService).creditPaidOrder({
    orderId: order.order_id,
    gateway: 'manual',
    via: 'admin',
  });
  expect(result.credited).toBe(true);
  return order.order_id;
}

const paybacksOf = (t: TestApp, paylistId: number) =>
  t.dataSource
    .getRepository(Payback)
    .find({ where: { paylistId }, order: { level: 'ASC' } });

const inviteCodeOf = async (t: TestApp, user: SignedInUser) =>
  (await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id }))
    .inviteCode!;

/** Registers a user with `inviter`'s code. */
const invitedBy = async (t: TestApp, inviter: SignedInUser) =>
  signUp(t, { invite_code: await inviteCodeOf(t, inviter) });

describe('referral (e2e, PAYBACK_RATES=0.2,0.1,0.05, INVITE_REWARD=5)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        PAYBACK_RATES: '0.2,0.1,0.05',
        INVITE_REWARD: '5',
        PUBLIC_URL: 'https://panel.example.com/',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  it('registration with an invite code sets ref_by and rewards the inviter in the same transaction', async () => {
    const inviter = await signUp(t);
    const invitee = await invitedBy(t, inviter);
    const row = await t.dataSource
      .getRepository(User)
      .findOneByOrFail({ id: invitee.id });
    expect(row.refBy).toBe(inviter.id);
    expect(await moneyOf(t.dataSource, inviter.id)).toBe('5.00');
    const rewards = await t.dataSource
      .getRepository(Payback)
      .findBy({ refBy: inviter.id });
    expect(rewards).toEqual([
      expect.objectContaining({
        total: '-1.00',
        userid: invitee.id,
        refGet: '5.00',
        callback: 0,
        paylistId: null,
      }),
    ]);
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .findBy({ userId: inviter.id }),
    ).toEqual([
      expect.objectContaining({
        reason: 'invite_reward',
        amount: '5.00',
        refType: 'payback',
        refId: rewards[0].id,
      }),
    ]);
  });

  it('an unknown invite code is 400 and rewards nobody', async () => {
    const before = await moneySnapshot(t.dataSource);
    const res = await t
      .http()
      .post(`${API}/auth/register`)
      .send({
        email: `nocode${process.pid}@example.com`,
        password: 'long-enough-pw',
        invite_code: 'NoSuchCode99',
      })
      .expect(400);
    expect(res.body.code).toBe('INVITE_CODE_INVALID');
    expect(await moneySnapshot(t.dataSource)).toEqual(before);
  });

  it('a three-level chain pays each level once, by its rate, and only on the first payment', async () => {
    // a ← b ← c ← payer (each registered with the previous one's code: +5.00 rewards)
    const a = await signUp(t);
    const b = await invitedBy(t, a);
    const c = await invitedBy(t, b);
    const payer = await invitedBy(t, c);
    const start = await Promise.all(
      [a, b, c].map((u) => moneyOf(t.dataSource, u.id)),
    );
    expect(start).toEqual(['5.00', '5.00', '5.00']);

    const orderId = await pay(t, payer, '100.00');
    expect(await moneyOf(t.dataSource, c.id)).toBe('25.00'); // +20 (level 1, 20 %)
    expect(await moneyOf(t.dataSource, b.id)).toBe('15.00'); // +10 (level 2, 10 %)
    expect(await moneyOf(t.dataSource, a.id)).toBe('10.00'); // +5 (level 3, 5 %)
    expect(await paybacksOf(t, orderId)).toEqual([
      expect.objectContaining({
        level: 1,
        refBy: c.id,
        refGet: '20.00',
        userid: payer.id,
        total: '100.00',
      }),
      expect.objectContaining({
        level: 2,
        refBy: b.id,
        refGet: '10.00',
        userid: payer.id,
      }),
      expect.objectContaining({
        level: 3,
        refBy: a.id,
        refGet: '5.00',
        userid: payer.id,
      }),
    ]);

    // Crediting the same order again is a no-op.
    const credit = t.app.get(PaymentCreditService);
    const again = await credit.creditPaidOrder({
      orderId,
      gateway: 'manual',
      via: 'admin',
    });
    expect(again.credited).toBe(false);

    // PAYBACK_MAX_TIMES=1 (default): the payer's second payment earns nobody anything.
    const second = await pay(t, payer, '40.00');
    expect(await paybacksOf(t, second)).toEqual([]);
    expect(await moneyOf(t.dataSource, payer.id)).toBe('140.00');
    expect(
      await Promise.all([a, b, c].map((u) => moneyOf(t.dataSource, u.id))),
    ).toEqual(['10.00', '15.00', '25.00']);
  });

  itOnMysql(
    'PAYBACK_MAX_TIMES=1 holds when several orders of one payer are credited at once',
    async () => {
      const referrer = await signUp(t);
      const payer = await invitedBy(t, referrer);
      const orders = await Promise.all(
        Array.from({ length: 6 }, () =>
          createOrder(t, payer, '10.00', 'manual'),
        ),
      );
      const credit = t.app.get(PaymentCreditService);
      const results = await Promise.all(
        orders.map((o) =>
          credit.creditPaidOrder({
            orderId: o.order_id,
            gateway: 'manual',
            via: 'admin',
          }),
        ),
      );
      expect(results.every((r) => r.credited)).toBe(true);
      expect(await moneyOf(t.dataSource, payer.id)).toBe('60.00');
      expect(await moneyOf(t.dataSource, referrer.id)).toBe('7.00'); // 5 reward + one 2.00
      expect(
        await t.dataSource.getRepository(Payback).countBy({
          refBy: referrer.id,
          userid: payer.id,
          level: 1,
          callback: 0,
        }),
      ).toBe(2); // the -1 reward row and one commission
    },
  );

  it('a cycle in ref_by terminates, paying each user in it at most once', async () => {
    const [payer, x, y] = [await signUp(t), await signUp(t), await signUp(t)];
    // payer → x → y → x → ... (a cycle above the payer)
    await setRefBy(t.dataSource, payer.id, x.id);
    await setRefBy(t.dataSource, x.id, y.id);
    await setRefBy(t.dataSource, y.id, x.id);
    const orderId = await pay(t, payer, '10.00');
    expect(
      (await paybacksOf(t, orderId)).map((p) => [p.level, p.refBy, p.refGet]),
    ).toEqual([
      [1, x.id, '2.00'],
      [2, y.id, '1.00'],
    ]);

    // A cycle through the payer: p ↔ q.
    const [p, q] = [await signUp(t), await signUp(t)];
    await setRefBy(t.dataSource, p.id, q.id);
    await setRefBy(t.dataSource, q.id, p.id);
    const cyclic = await pay(t, p, '10.00');
    expect(
      (await paybacksOf(t, cyclic)).map((r) => [r.level, r.refBy]),
    ).toEqual([[1, q.id]]);
  });

  it('the chain stops at a disabled or missing referrer', async () => {
    const [top, disabled, payer] = [
      await signUp(t),
      await signUp(t),
      await signUp(t),
    ];
    await setRefBy(t.dataSource, payer.id, disabled.id);
    await setRefBy(t.dataSource, disabled.id, top.id);
    await updateUser(t.dataSource, disabled.id, { enable: 0 });
    expect(await paybacksOf(t, await pay(t, payer, '10.00'))).toEqual([]);

    const orphan = await signUp(t);
    await setRefBy(t.dataSource, orphan.id, 9_999_999);
    expect(await paybacksOf(t, await pay(t, orphan, '10.00'))).toEqual([]);
  });

  it('GET /user/referral shows code, link, count, net earnings and masked history', async () => {
    const inviter = await signUp(t);
    const invitee = await invitedBy(t, inviter);
    await pay(t, invitee, '10.00'); // +2.00 commission
    const res = await t
      .http()
      .get(`${API}/user/referral`)
      .set(inviter.auth)
      .expect(200);
    const code = await inviteCodeOf(t, inviter);
    expect(res.body.data).toMatchObject({
      invite_code: code,
      invite_url: `https://panel.example.com/auth/register?code=${code}`,
      invited_count: 1,
      earned_total: 7,
    });
    const [local, domain] = invitee.email.split('@');
    expect(res.body.data.history).toEqual([
      {
        userid: invitee.id,
        email: `${local.slice(0, 2)}***@${domain}`,
        ref_get: 2,
        total: 10,
        datetime: expect.any(Number),
        level: 1,
      },
      expect.objectContaining({ userid: invitee.id, ref_get: 5, total: -1 }),
    ]);
    // Only the user's own earnings.
    const mine = await t
      .http()
      .get(`${API}/user/referral`)
      .set(invitee.auth)
      .expect(200);
    expect(mine.body.data).toMatchObject({
      invited_count: 0,
      earned_total: 0,
      history: [],
    });
  });

  it('a legacy user without a code gets exactly one, even on concurrent first views', async () => {
    const legacy = await signUp(t);
    await updateUser(t.dataSource, legacy.id, { inviteCode: null });
    const views = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http().get(`${API}/user/referral`).set(legacy.auth).expect(200),
      ),
    );
    const codes = new Set(views.map((v) => v.body.data.invite_code as string));
    expect(codes.size).toBe(1);
    const [code] = [...codes];
    expect(code).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(await inviteCodeOf(t, legacy)).toBe(code);
    // ...and it works for registration.
    const invitee = await signUp(t, { invite_code: code });
    expect(
      (
        await t.dataSource
          .getRepository(User)
          .findOneByOrFail({ id: invitee.id })
      ).refBy,
    ).toBe(legacy.id);
  });
});

describe('referral (e2e, PAYBACK_MAX_TIMES=0: unlimited)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYBACK_MAX_TIMES: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pays the referrer on every payment of the referee', async () => {
    const referrer = await signUp(t);
    const payer = await invitedBy(t, referrer);
    await pay(t, payer, '10.00');
    await pay(t, payer, '5.05'); // 1.01
    expect(await moneyOf(t.dataSource, referrer.id)).toBe('3.01');
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });
});

describe('referral clawback (e2e, INVITE_REWARD=5)', () => {
  let t: TestApp;
  let clawback: ReferralClawbackService;
  const now = new Date();

  beforeAll(async () => {
    t = await createTestApp({ env: { INVITE_REWARD: '5' } });
    clawback = t.app.get(ReferralClawbackService);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  /** An inviter and a referee whose balance went negative (through the ledger). */
  async function badPair(): Promise<[SignedInUser, SignedInUser]> {
    const inviter = await signUp(t);
    const referee = await invitedBy(t, inviter);
    await t.dataSource.transaction((m) =>
      t.app.get(LedgerService).applyBalanceChange(m, {
        userId: referee.id,
        amountCents: -100,
        reason: 'admin',
      }),
    );
    return [inviter, referee];
  }

  const user = (id: number) =>
    t.dataSource.getRepository(User).findOneByOrFail({ id });

  it('takes the reward back once: -2 row, callback = 1, ban_times + 1, referee detached and disabled', async () => {
    const [inviter, referee] = await badPair();
    const fine = await signUp(t);
    await invitedBy(t, fine); // its referee's money is 0: not bad
    const [highScoreInviter, highScore] = await badPair();
    await updateUser(t.dataSource, highScore.id, { score: 64 });

    const before = await moneySnapshot(t.dataSource);
    expect(await clawback.clawbackBadReferees({ now, dryRun: true })).toBe(1);
    expect(await moneySnapshot(t.dataSource)).toEqual(before);

    expect(await clawback.clawbackBadReferees({ now, dryRun: false })).toBe(1);
    expect(await user(inviter.id)).toMatchObject({
      money: '0.00',
      banTimes: 1,
    });
    expect(await user(referee.id)).toMatchObject({ refBy: 0, enable: 0 });
    const rows = await t.dataSource
      .getRepository(Payback)
      .find({ where: { refBy: inviter.id }, order: { id: 'ASC' } });
    expect(rows).toEqual([
      expect.objectContaining({ total: '-1.00', refGet: '5.00', callback: 1 }),
      expect.objectContaining({
        total: '-2.00',
        refGet: '-5.00',
        userid: referee.id,
      }),
    ]);
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .findBy({ userId: inviter.id, reason: 'clawback' }),
    ).toEqual([
      expect.objectContaining({ amount: '-5.00', refId: rows[1].id }),
    ]);
    expect(await moneyOf(t.dataSource, fine.id)).toBe('5.00');
    expect(await moneyOf(t.dataSource, highScoreInviter.id)).toBe('5.00');

    // However often it runs, nothing more happens.
    const after = await moneySnapshot(t.dataSource);
    expect(await clawback.clawbackBadReferees({ now, dryRun: false })).toBe(0);
    expect(await clawback.clawbackBadReferees({ now, dryRun: true })).toBe(0);
    expect(await moneySnapshot(t.dataSource)).toEqual(after);
  });

  it('concurrent runs claw back once', async () => {
    const [inviter] = await badPair();
    const counts = await Promise.all(
      Array.from({ length: 5 }, () =>
        clawback.clawbackBadReferees({ now, dryRun: false }),
      ),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await moneyOf(t.dataSource, inviter.id)).toBe('0.00');
    expect(
      await t.dataSource
        .getRepository(Payback)
        .countBy({ refBy: inviter.id, total: '-2.00' }),
    ).toBe(1);
  });

  it('a deleted referee costs the inviter the reward only when the inviter scores below 32', async () => {
    const inviter = await signUp(t);
    const referee = await invitedBy(t, inviter);
    const run = () =>
      t.dataSource.transaction((m) =>
        clawback.clawbackForDeletedReferee(m, referee.id, { now }),
      );
    await updateUser(t.dataSource, inviter.id, { score: 32 });
    expect(await run()).toBe(false);
    expect(await moneyOf(t.dataSource, inviter.id)).toBe('5.00');
    await updateUser(t.dataSource, inviter.id, { score: 31 });
    expect(await run()).toBe(true);
    expect(await moneyOf(t.dataSource, inviter.id)).toBe('0.00');
    expect(await run()).toBe(false);
    expect(await user(inviter.id)).toMatchObject({ banTimes: 1 });
  });
});
