import {
  Bought,
  Shop,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { ShopRenewalService } from '../../src/modules/shop/shop-renewal.service.js';
import { createPlan, giveMoney } from '../factories/shop.factory.js';
import { signUp, updateUser } from '../factories/user.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

const DAY_S = 86_400;

describe('shop auto-renew (e2e)', () => {
  let t: TestApp;
  let renewal: ShopRenewalService;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestApp();
    renewal = t.app.get(ShopRenewalService);
    ledger = t.app.get(LedgerService);
  });
  afterAll(async () => {
    await t?.close();
  });

  const nowS = () => Math.floor(Date.now() / 1000);
  const bought = () => t.dataSource.getRepository(Bought);
  const userRow = (id: number) =>
    t.dataSource.getRepository(User).findOneByOrFail({ id });

  /** A user holding a subscription whose renewal is due `dueIn` seconds from now. */
  async function subscriber(opts: {
    money: number;
    price?: string;
    dueIn?: number;
    planStatus?: number;
  }) {
    const user = await signUp(t);
    if (opts.money > 0) await giveMoney(t, user.id, opts.money);
    const plan = await createPlan(t, {
      price: opts.price ?? '10.00',
      autoRenew: 30,
      status: opts.planStatus ?? 1,
      content: {
        traffic: 100,
        reset_traffic: true,
        class: 1,
        class_expire: 30,
        expire_in: 30,
      },
    });
    const renew = nowS() + (opts.dueIn ?? -10);
    const result = await bought().insert({
      userid: user.id,
      shopid: plan.id,
      datetime: renew - 30 * DAY_S,
      renew,
      coupon: '',
      price: plan.price,
    });
    await updateUser(t.dataSource, user.id, {
      classLevel: 1,
      classExpire: new Date((renew + 3600) * 1000),
    });
    return { user, plan, boughtId: Number(result.identifiers[0].id), renew };
  }

  it('renews a due row at full price: new bought row, old row closed, level extended, ledger row', async () => {
    const s = await subscriber({ money: 2500 });
    const classBefore = (await userRow(s.user.id)).classExpire.getTime();
    const now = new Date();
    expect(await renewal.renewDue({ now, dryRun: false })).toBe(1);

    expect((await bought().findOneByOrFail({ id: s.boughtId })).renew).toBe(0);
    const rows = await bought().find({
      where: { userid: s.user.id },
      order: { id: 'ASC' },
    });
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      shopid: s.plan.id,
      price: '10.00',
      coupon: '',
    });
    expect(rows[1].renew).toBe(Math.floor(now.getTime() / 1000) + 30 * DAY_S);
    const user = await userRow(s.user.id);
    expect(user.money).toBe('15.00');
    expect(user.classExpire.getTime()).toBe(classBefore + 30 * DAY_S * 1000);
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .findBy({ userId: s.user.id, reason: 'purchase' }),
    ).toEqual([
      expect.objectContaining({
        amount: '-10.00',
        refType: 'bought',
        refId: rows[1].id,
      }),
    ]);
    expect(await ledger.findProblems()).toEqual([]);

    // a second run finds nothing due: the renewal happens once
    expect(await renewal.renewDue({ now, dryRun: false })).toBe(0);
    expect(await bought().countBy({ userid: s.user.id })).toBe(2);
  });

  it('two renewal runs at once charge once: the conditional claim (renew = ?) lets one win', async () => {
    const s = await subscriber({ money: 5000 });
    const now = new Date();
    // Both runs read the row as due before either claims it; only the claim decides.
    await Promise.all([
      renewal.renewDue({ now, dryRun: false }),
      renewal.renewDue({ now, dryRun: false }),
    ]);
    expect(await bought().countBy({ userid: s.user.id })).toBe(2);
    expect((await userRow(s.user.id)).money).toBe('40.00');
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: s.user.id, reason: 'purchase' }),
    ).toBe(1);
    expect(await ledger.findProblems()).toEqual([]);
  });

  it('without enough money: auto-renew stops, warming says why, nothing is charged', async () => {
    const s = await subscriber({ money: 300 });
    expect(await renewal.renewDue({ now: new Date(), dryRun: false })).toBe(1);
    expect((await bought().findOneByOrFail({ id: s.boughtId })).renew).toBe(0);
    expect(await bought().countBy({ userid: s.user.id })).toBe(1);
    const user = await userRow(s.user.id);
    expect(user.money).toBe('3.00');
    expect(user.warming).toContain(
      'Insufficient balance: 10.00 needed, 3.00 available',
    );
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: s.user.id }),
    ).toBe(1);
  });

  it('a renewal the level rules refuse (downgrade) stops with a warming', async () => {
    const s = await subscriber({ money: 5000 });
    await updateUser(t.dataSource, s.user.id, {
      classLevel: 3,
      classExpire: new Date(Date.now() + 10 * DAY_S * 1000),
    });
    expect(await renewal.renewDue({ now: new Date(), dryRun: false })).toBe(1);
    expect((await userRow(s.user.id)).warming).toContain(
      'below your current level',
    );
    expect((await userRow(s.user.id)).money).toBe('50.00');
  });

  it('a plan taken off sale still renews; rows not due, without renew, or whose plan is gone are left alone', async () => {
    const offSale = await subscriber({ money: 2000, planStatus: 0 });
    const later = await subscriber({ money: 2000, dueIn: 3600 });
    const gone = await subscriber({ money: 2000 });
    await t.dataSource.getRepository(Shop).delete({ id: gone.plan.id });
    const none = await subscriber({ money: 2000 });
    await bought().update({ id: none.boughtId }, { renew: 0 });

    expect(await renewal.renewDue({ now: new Date(), dryRun: false })).toBe(1);
    expect(await bought().countBy({ userid: offSale.user.id })).toBe(2);
    for (const s of [later, gone, none]) {
      expect(await bought().countBy({ userid: s.user.id })).toBe(1);
      expect((await userRow(s.user.id)).money).toBe('20.00');
    }
    expect((await bought().findOneByOrFail({ id: later.boughtId })).renew).toBe(
      later.renew,
    );
    expect((await bought().findOneByOrFail({ id: gone.boughtId })).renew).toBe(
      gone.renew,
    );
  });

  it('a row due within the next minute is renewed by this run', async () => {
    const s = await subscriber({ money: 1000, dueIn: 30 });
    expect(await renewal.renewDue({ now: new Date(), dryRun: false })).toBe(1);
    expect(await bought().countBy({ userid: s.user.id })).toBe(2);
  });

  it('a dry run counts the due rows across batches of 1,000 and changes nothing', async () => {
    const s = await subscriber({ money: 0 });
    const renew = nowS() - 5;
    const rows = Array.from({ length: 1004 }, () => ({
      userid: s.user.id,
      shopid: s.plan.id,
      datetime: renew,
      renew,
      coupon: '',
      price: '10.00',
    }));
    for (let i = 0; i < rows.length; i += 200)
      await bought().insert(rows.slice(i, i + 200));
    expect(await renewal.renewDue({ now: new Date(), dryRun: true })).toBe(
      1005,
    );
    expect(await bought().countBy({ userid: s.user.id })).toBe(1005);
    expect(await bought().countBy({ userid: s.user.id, renew: 0 })).toBe(0);
    expect((await userRow(s.user.id)).warming).toBeNull();
    // and a real run handles every one of them (all refused for lack of money)
    expect(await renewal.renewDue({ now: new Date(), dryRun: false })).toBe(
      1005,
    );
    expect(await bought().countBy({ userid: s.user.id, renew: 0 })).toBe(1005);
  });
});
