import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  AliveIp,
  BlockIp,
  Bought,
  DetectLog,
  JobRun,
  Payback,
  PaymentCallback,
  Paylist,
  SsNode,
  SsNodeInfo,
  SsNodeOnlineLog,
  TrafficReport,
  UnblockIp,
  User,
  UserArchive,
  UserMoneyLog,
  UserTrafficLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { NodeMaintenanceService } from '../../src/modules/node/node-maintenance.service.js';
import { JobLockService } from '../../src/modules/scheduler/job-lock.service.js';
import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import { RedisService } from '../../src/modules/redis/redis.service.js';
import type {
  JobName,
  JobRunResult,
} from '../../src/modules/scheduler/scheduler.constants.js';
import { TICK_HOLD_MS } from '../../src/modules/scheduler/scheduler.constants.js';
import { TrafficSnapshotStore } from '../../src/modules/user/traffic-snapshot.store.js';
import {
  daysAgo,
  insertAccount,
  reloadAccount,
  unixSecondsAgo,
} from '../factories/account.factory.js';
import { createNode } from '../factories/node.factory.js';
import { createPlan } from '../factories/shop.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { describeWithRedis, itWithoutRedis } from '../utils/modes.js';

const GB = 1024 ** 3;
const DAY_S = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);

/** Every table a job touches: a dry run must leave all of them exactly as they were. */
const WATCHED = [
  User,
  SsNode,
  AliveIp,
  BlockIp,
  UnblockIp,
  SsNodeInfo,
  SsNodeOnlineLog,
  UserTrafficLog,
  DetectLog,
  TrafficReport,
  UserArchive,
  Payback,
  Paylist,
  Bought,
  UserMoneyLog,
  PaymentCallback,
];

/** A `payment_callback` record created at `createdAt` (unix seconds). */
function callbackRecord(createdAt: number, tradeno = 'T1') {
  return {
    gateway: 'epay',
    source: 'notify',
    paylistId: null,
    tradeno,
    outcome: 'rejected',
    reason: 'bad signature',
    amount: null,
    currency: null,
    reference: null,
    detail: null,
    createdAt,
  };
}

async function snapshot(ds: DataSource): Promise<unknown[]> {
  return Promise.all(
    WATCHED.map((e) => ds.getRepository(e).find({ order: { id: 'ASC' } })),
  );
}

describe('scheduler jobs (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let runner: JobRunnerService;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.dataSource;
    runner = t.app.get(JobRunnerService);
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Each test starts from empty tables (the admin who calls the routes stays). */
  beforeEach(async () => {
    for (const e of WATCHED) {
      const qb = ds.createQueryBuilder().delete().from(e);
      if (e === User) qb.where('id <> :id', { id: admin.id });
      await qb.execute();
    }
    await ds.createQueryBuilder().delete().from(JobRun).execute();
  });

  const run = (job: JobName, dryRun = false) =>
    runner.run(job, { dryRun, trigger: 'manual' });

  /**
   * The claim every step test makes: a dry run reports `expected` for the step and changes
   * nothing anywhere; the real run then changes exactly that many rows.
   */
  async function dryThenReal(
    job: JobName,
    step: string,
    expected: number,
  ): Promise<JobRunResult> {
    const before = await snapshot(ds);
    const dry = await run(job, true);
    expect(dry.status).toBe('ok');
    expect(dry.dry_run).toBe(true);
    expect(dry.steps[step]).toEqual(
      expect.objectContaining({ affected: expected }),
    );
    expect(await snapshot(ds)).toEqual(before);
    const real = await run(job);
    expect(real.status).toBe('ok');
    expect(real.steps[step].affected).toBe(expected);
    // Every other step had nothing to do: only this test's rows exist.
    for (const [name, outcome] of Object.entries(real.steps))
      if (name !== step) expect([name, outcome.affected]).toEqual([name, 0]);
    return real;
  }

  describe('daily', () => {
    it('traffic cycle: due users with a level get u += d, d = 0, a new allowance and reset time', async () => {
      const due = await insertAccount(ds, {
        classLevel: 2,
        renewTime: unixSecondsAgo(60),
        u: 100,
        d: 50,
        t: unixSecondsAgo(3 * DAY_S),
      });
      const notYet = await insertAccount(ds, {
        classLevel: 2,
        renewTime: nowS() + 60,
        u: 100,
        d: 50,
        t: unixSecondsAgo(3 * DAY_S),
      });
      const free = await insertAccount(ds, {
        renewTime: unixSecondsAgo(60),
        d: 50,
      });
      const disabled = await insertAccount(ds, {
        classLevel: 2,
        enable: 0,
        renewTime: unixSecondsAgo(60),
        d: 50,
        t: unixSecondsAgo(3 * DAY_S),
      });
      await dryThenReal('daily', 'traffic_cycle', 1);
      const after = await reloadAccount(ds, due.id);
      expect(after).toMatchObject({ u: 150, d: 0, transferLimit: 20 * GB });
      expect(after!.renewTime).toBeGreaterThanOrEqual(nowS() + 20 * DAY_S - 5);
      expect(after!.renewTime).toBeLessThanOrEqual(nowS() + 20 * DAY_S);
      for (const u of [notYet, free, disabled])
        expect(await reloadAccount(ds, u.id)).toEqual(u);
    });

    it('dead nodes: a working node silent past 7200 s is marked faulty', async () => {
      const dead = await createNode(ds, {
        nodeHeartbeat: unixSecondsAgo(7300),
      });
      const alive = await createNode(ds, {
        nodeHeartbeat: unixSecondsAgo(7000),
      });
      const already = await createNode(ds, {
        type: 0,
        nodeHeartbeat: unixSecondsAgo(9000),
      });
      await dryThenReal('daily', 'dead_nodes', 1);
      const types = async (id: number) =>
        (await ds.getRepository(SsNode).findOneByOrFail({ id })).type;
      expect([
        await types(dead.id),
        await types(alive.id),
        await types(already.id),
      ]).toEqual([0, 1, 0]);
    });

    it('daily traffic guard: growth over 32 GB since the last snapshot suspends, in groups 2-5 only', async () => {
      const store = t.app.get(TrafficSnapshotStore);
      const recent = unixSecondsAgo(600);
      const over = await insertAccount(ds, {
        nodeGroup: 3,
        u: 40 * GB,
        d: 10 * GB,
        t: recent,
      });
      const under = await insertAccount(ds, {
        nodeGroup: 2,
        u: 40 * GB,
        d: 0,
        t: recent,
      });
      const otherGroup = await insertAccount(ds, {
        nodeGroup: 1,
        u: 90 * GB,
        t: recent,
      });
      const idle = await insertAccount(ds, {
        nodeGroup: 4,
        u: 90 * GB,
        t: unixSecondsAgo(DAY_S + 60),
      });
      const noBaseline = await insertAccount(ds, {
        nodeGroup: 5,
        u: 90 * GB,
        t: recent,
      });
      await store.write(
        'lastday',
        [
          { userId: over.id, total: 50 * GB - 33 * GB },
          { userId: under.id, total: 40 * GB - 31 * GB },
          { userId: otherGroup.id, total: 0 },
          { userId: idle.id, total: 0 },
        ],
        DAY_S,
      );
      await dryThenReal('daily', 'traffic_guard', 1);
      const suspended = await reloadAccount(ds, over.id);
      expect(suspended!.enable).toBe(0);
      expect(suspended!.warming).toMatch(
        /more than 32 GB of traffic in one day/,
      );
      for (const u of [under, otherGroup, idle, noBaseline])
        expect((await reloadAccount(ds, u.id))!.enable).toBe(1);
      // Every judged user's total is the next baseline; users outside the rule keep theirs.
      expect(
        await store.read('lastday', [
          over.id,
          under.id,
          otherGroup.id,
          idle.id,
          noBaseline.id,
        ]),
      ).toEqual([50 * GB, 40 * GB, 0, 0, 90 * GB]);
    });

    it('unused accounts: paying users idle for 32 days and registered over a month ago are suspended', async () => {
      const idle = await insertAccount(ds, {
        classLevel: 1,
        t: unixSecondsAgo(33 * DAY_S),
        regDate: daysAgo(60),
      });
      const recentlyUsed = await insertAccount(ds, {
        classLevel: 1,
        t: unixSecondsAgo(31 * DAY_S),
        regDate: daysAgo(60),
      });
      const young = await insertAccount(ds, {
        classLevel: 1,
        t: 0,
        regDate: daysAgo(20),
        lastCheckInTime: nowS(),
      });
      const adminIdle = await insertAccount(ds, {
        classLevel: 1,
        isAdmin: 1,
        t: unixSecondsAgo(40 * DAY_S),
        regDate: daysAgo(60),
      });
      await dryThenReal('daily', 'unused_accounts', 1);
      expect(await reloadAccount(ds, idle.id)).toMatchObject({
        enable: 0,
        warming: expect.stringMatching(/no traffic for 32 days/),
      });
      for (const u of [recentlyUsed, young, adminIdle])
        expect(await reloadAccount(ds, u.id)).toEqual(u);
    });

    it('over the allowance: score −1, ban +1, one group down, allowance raised by class × 10 GB', async () => {
      const recent = unixSecondsAgo(3 * DAY_S); // outside the activity/statistics windows
      const over = await insertAccount(ds, {
        nodeGroup: 3,
        classLevel: 2,
        transferLimit: 20 * GB,
        d: 20 * GB + 1,
        score: 10,
        t: recent,
      });
      const atLimit = await insertAccount(ds, {
        nodeGroup: 3,
        classLevel: 2,
        transferLimit: 20 * GB,
        d: 20 * GB,
        t: recent,
      });
      const lowestGroup = await insertAccount(ds, {
        nodeGroup: 1,
        classLevel: 2,
        transferLimit: 1,
        d: 5 * GB,
        t: recent,
      });
      await dryThenReal('daily', 'over_allowance', 1);
      expect(await reloadAccount(ds, over.id)).toMatchObject({
        score: 9,
        banTimes: 1,
        nodeGroup: 2,
        transferLimit: 40 * GB,
        warming: expect.stringMatching(/allowance/),
      });
      for (const u of [atLimit, lowestGroup])
        expect(await reloadAccount(ds, u.id)).toEqual(u);
    });

    it('activity score: paying users of group > 1 active in the last 24 h gain a point', async () => {
      const base = { nodeGroup: 2, classLevel: 1, money: '5.00', score: 3 };
      // Outside the statistics window would need t older than 48 h; these stay inside it, so
      // their statistics step also runs: compare only the score here.
      const active = await insertAccount(ds, {
        ...base,
        t: unixSecondsAgo(3600),
      });
      const broke = await insertAccount(ds, {
        ...base,
        money: '0.00',
        t: unixSecondsAgo(3600),
      });
      const stale = await insertAccount(ds, {
        ...base,
        t: unixSecondsAgo(DAY_S + 60),
      });
      const group1 = await insertAccount(ds, {
        ...base,
        nodeGroup: 1,
        t: unixSecondsAgo(3600),
      });
      const dry = await run('daily', true);
      expect(dry.steps.activity_score.affected).toBe(1);
      const real = await run('daily');
      expect(real.steps.activity_score.affected).toBe(1);
      const scores = await Promise.all(
        [active, broke, stale, group1].map(
          async (u) => (await reloadAccount(ds, u.id))!.score,
        ),
      );
      expect(scores).toEqual([4, 3, 3, 3]);
    });

    it("daily statistics: users active in the last 48 h keep yesterday's counters", async () => {
      const values = { classLevel: 1, d: 777, rssCount: 5, rssIpsCount: 2 };
      const active = await insertAccount(ds, {
        ...values,
        t: unixSecondsAgo(47 * 3600),
      });
      const stale = await insertAccount(ds, {
        ...values,
        t: unixSecondsAgo(49 * 3600),
      });
      const free = await insertAccount(ds, {
        ...values,
        classLevel: 0,
        t: unixSecondsAgo(3600),
      });
      await dryThenReal('daily', 'statistics', 1);
      expect(await reloadAccount(ds, active.id)).toMatchObject({
        lastDayT: 777,
        rssCountLastday: 5,
        rssIpsLastday: 2,
      });
      for (const u of [stale, free])
        expect(await reloadAccount(ds, u.id)).toEqual(u);
    });

    it('level expiry: a lapsed level drops to 0 (daily and check)', async () => {
      const old = { t: unixSecondsAgo(3 * DAY_S) };
      const lapsed = await insertAccount(ds, {
        ...old,
        classLevel: 3,
        classExpire: daysAgo(0.01),
      });
      const valid = await insertAccount(ds, {
        ...old,
        classLevel: 3,
        classExpire: new Date(Date.now() + 3_600_000),
      });
      await dryThenReal('daily', 'level_expiry', 1);
      expect((await reloadAccount(ds, lapsed.id))!.classLevel).toBe(0);
      expect(await reloadAccount(ds, valid.id)).toEqual(valid);

      const lapsed2 = await insertAccount(ds, {
        ...old,
        classLevel: 1,
        classExpire: daysAgo(1),
      });
      await dryThenReal('check', 'level_expiry', 1);
      expect((await reloadAccount(ds, lapsed2.id))!.classLevel).toBe(0);
    });

    it('clawback (wired to referral): a bad referee costs the inviter the reward, once', async () => {
      const inviter = await insertAccount(ds, {
        score: 100,
        t: unixSecondsAgo(3 * DAY_S),
      });
      await t.dataSource.transaction((m) =>
        t.app.get(LedgerService).applyBalanceChange(m, {
          userId: inviter.id,
          amountCents: 500,
          reason: 'invite_reward',
        }),
      );
      const referee = await insertAccount(ds, {
        refBy: inviter.id,
        money: '-1.00',
        score: 10,
        enable: 0, // keeps the check job's negative-balance rule out of this test
        t: unixSecondsAgo(3 * DAY_S),
      });
      await ds.getRepository(Payback).insert({
        total: '-1.00',
        userid: referee.id,
        refBy: inviter.id,
        refGet: '5.00',
        datetime: nowS(),
        callback: 0,
        paylistId: null,
        level: 1,
      });
      await dryThenReal('daily', 'clawback', 1);
      expect((await reloadAccount(ds, inviter.id))!.money).toBe('0.00');
      expect((await reloadAccount(ds, referee.id))!.refBy).toBe(0);
      const second = await run('daily');
      expect(second.steps.clawback.affected).toBe(0);
      expect((await reloadAccount(ds, inviter.id))!.money).toBe('0.00');
      expect(await ds.getRepository(Payback).countBy({ total: '-2.00' })).toBe(
        1,
      );
    });
  });

  describe('hourly', () => {
    it('hourly traffic guard: growth over 6 GB in groups 2-3 suspends; the snapshot moves on', async () => {
      const store = t.app.get(TrafficSnapshotStore);
      const recent = unixSecondsAgo(120);
      const over = await insertAccount(ds, {
        nodeGroup: 2,
        u: 10 * GB,
        t: recent,
      });
      const under = await insertAccount(ds, {
        nodeGroup: 3,
        u: 10 * GB,
        t: recent,
      });
      const group4 = await insertAccount(ds, {
        nodeGroup: 4,
        u: 10 * GB,
        t: recent,
      });
      const quiet = await insertAccount(ds, {
        nodeGroup: 2,
        u: 10 * GB,
        t: unixSecondsAgo(3700),
      });
      await store.write(
        'lasthour',
        [
          { userId: over.id, total: 10 * GB - 6 * GB - 1 },
          { userId: under.id, total: 10 * GB - 6 * GB },
          { userId: group4.id, total: 0 },
          { userId: quiet.id, total: 0 },
        ],
        4600,
      );
      await dryThenReal('hourly', 'traffic_guard', 1);
      expect((await reloadAccount(ds, over.id))!.enable).toBe(0);
      for (const u of [under, group4, quiet])
        expect((await reloadAccount(ds, u.id))!.enable).toBe(1);
      expect(
        await store.read('lasthour', [over.id, under.id, group4.id]),
      ).toEqual([10 * GB, 10 * GB, 0]);
    });

    it('unpaid orders (wired to payment): older than PAYMENT_EXPIRE_S become expired', async () => {
      const user = await insertAccount(ds);
      const order = (datetime: number, status = 0) => ({
        userid: user.id,
        total: '10.00',
        status,
        tradeno: `t${datetime}${status}${Math.random()}`.slice(0, 60),
        datetime,
      });
      const repo = ds.getRepository(Paylist);
      await repo.insert([
        order(unixSecondsAgo(3700)),
        order(unixSecondsAgo(3500)),
        order(unixSecondsAgo(9000), 1),
      ]);
      await dryThenReal('hourly', 'unpaid_orders', 1);
      const statuses = (await repo.find({ order: { id: 'ASC' } })).map(
        (o) => o.status,
      );
      expect(statuses).toEqual([-1, 0, 1]);
    });

    it('auto-renew (wired to shop): a due renewal without funds stops, with the reason in warming', async () => {
      const user = await insertAccount(ds);
      const plan = await createPlan(t, { price: '10.00', autoRenew: 30 });
      const repo = ds.getRepository(Bought);
      await repo.insert([
        {
          userid: user.id,
          shopid: plan.id,
          datetime: unixSecondsAgo(30 * DAY_S),
          renew: unixSecondsAgo(10),
          coupon: '',
          price: '10.00',
        },
        {
          userid: user.id,
          shopid: plan.id,
          datetime: unixSecondsAgo(DAY_S),
          renew: nowS() + 10 * DAY_S,
          coupon: '',
          price: '10.00',
        },
      ]);
      await dryThenReal('hourly', 'auto_renew', 1);
      const renews = (await repo.find({ order: { id: 'ASC' } })).map(
        (b) => b.renew,
      );
      expect(renews[0]).toBe(0);
      expect(renews[1]).toBeGreaterThan(nowS());
      expect((await reloadAccount(ds, user.id))!.warming).toBeTruthy();
    });
  });

  describe('check', () => {
    it('IP records: alive_ip and unblockip past 300 s, blockip past a day are deleted', async () => {
      const node = await createNode(ds);
      await ds.getRepository(AliveIp).insert([
        {
          nodeid: node.id,
          userid: 1,
          ip: '10.0.0.1',
          datetime: unixSecondsAgo(310),
        },
        {
          nodeid: node.id,
          userid: 1,
          ip: '10.0.0.2',
          datetime: unixSecondsAgo(290),
        },
      ]);
      await ds.getRepository(UnblockIp).insert([
        {
          nodeid: node.id,
          userid: 0,
          ip: '10.0.0.3',
          datetime: unixSecondsAgo(310),
        },
        {
          nodeid: node.id,
          userid: 0,
          ip: '10.0.0.4',
          datetime: unixSecondsAgo(290),
        },
      ]);
      await ds.getRepository(BlockIp).insert([
        {
          nodeid: node.id,
          ip: '10.0.0.5',
          datetime: unixSecondsAgo(DAY_S + 10),
        },
        {
          nodeid: node.id,
          ip: '10.0.0.6',
          datetime: unixSecondsAgo(DAY_S - 10),
        },
      ]);
      await dryThenReal('check', 'ip_records', 3);
      const ips = async (
        e: typeof AliveIp | typeof UnblockIp | typeof BlockIp,
      ) => (await ds.getRepository(e).find()).map((r) => r.ip);
      expect([
        await ips(AliveIp),
        await ips(UnblockIp),
        await ips(BlockIp),
      ]).toEqual([['10.0.0.2'], ['10.0.0.4'], ['10.0.0.6']]);
    });

    it('account deletion: each rule on both sides of its threshold; archived first; admins never', async () => {
      const doomed = [
        // never used, 15 days old, free, money 1
        await insertAccount(ds, {
          t: 0,
          lastCheckInTime: nowS(),
          regDate: daysAgo(15),
          money: '1.00',
        }),
        // no check-in for 33 days (account 40 days old)
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(33 * DAY_S),
          regDate: daysAgo(40),
        }),
        // no traffic for 8 days (account 10 days old)
        await insertAccount(ds, {
          t: unixSecondsAgo(8 * DAY_S),
          u: 5,
          regDate: daysAgo(10),
        }),
        // expired 20 days ago with 0.50 of money (covers 15 days)
        await insertAccount(ds, {
          expireIn: daysAgo(20),
          money: '0.50',
          classLevel: 1,
          t: unixSecondsAgo(3 * DAY_S),
        }),
      ];
      const kept = [
        await insertAccount(ds, { t: 0, regDate: daysAgo(13), money: '0.50' }), // never used, too young
        await insertAccount(ds, { t: 0, regDate: daysAgo(15), money: '1.01' }), // money
        await insertAccount(ds, {
          t: 0,
          regDate: daysAgo(15),
          classLevel: 1,
          classExpire: new Date(Date.now() + 1e8),
        }),
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(31 * DAY_S),
          regDate: daysAgo(40),
        }),
        await insertAccount(ds, { lastCheckInTime: 0, regDate: daysAgo(5) }), // fresh account
        await insertAccount(ds, {
          t: unixSecondsAgo(6 * DAY_S),
          regDate: daysAgo(10),
        }),
        await insertAccount(ds, {
          t: unixSecondsAgo(8 * DAY_S),
          regDate: daysAgo(10),
          money: '0.01',
        }),
        await insertAccount(ds, { expireIn: daysAgo(6), money: '0.00' }), // expired too recently
        await insertAccount(ds, { expireIn: daysAgo(20), money: '1.00' }), // balance covers 30 days
        await insertAccount(ds, {
          isAdmin: 1,
          t: 0,
          lastCheckInTime: 0,
          regDate: daysAgo(90),
          expireIn: daysAgo(90),
        }),
      ];
      await dryThenReal('check', 'account_deletion', doomed.length);
      for (const u of doomed) expect(await reloadAccount(ds, u.id)).toBeNull();
      for (const u of kept) expect(await reloadAccount(ds, u.id)).toEqual(u);
      const archives = await ds
        .getRepository(UserArchive)
        .find({ order: { userId: 'ASC' } });
      expect(archives.map((a) => a.userId)).toEqual(doomed.map((u) => u.id));
      expect(archives.map((a) => a.reason)).toEqual([
        expect.stringMatching(/never used/),
        expect.stringMatching(/no check-in/),
        expect.stringMatching(/no traffic/),
        expect.stringMatching(/expired/),
      ]);
      const data = JSON.parse(archives[1].data) as Record<string, unknown>;
      expect(data).toMatchObject({
        id: doomed[1].id,
        email: doomed[1].email,
        pass: 'x',
      });
      expect(archives[1].email).toBe(doomed[1].email);
    });

    it("account deletion claws back the inviter's reward in the same transaction when the inviter scores below 32", async () => {
      const inviter = await insertAccount(ds, { score: 10 });
      const referee = await insertAccount(ds, {
        t: 0,
        regDate: daysAgo(15),
        refBy: inviter.id,
      });
      await ds.getRepository(Payback).insert({
        total: '-1.00',
        userid: referee.id,
        refBy: inviter.id,
        refGet: '2.00',
        datetime: nowS(),
        callback: 0,
        paylistId: null,
        level: 1,
      });
      const result = await run('check');
      expect(result.steps.account_deletion.affected).toBe(1);
      expect(await reloadAccount(ds, referee.id)).toBeNull();
      expect(await reloadAccount(ds, inviter.id)).toMatchObject({
        money: '-2.00',
        banTimes: 1,
      });
      expect(
        await ds.getRepository(UserArchive).countBy({ userId: referee.id }),
      ).toBe(1);
      expect(
        await ds
          .getRepository(Payback)
          .findOneBy({ userid: referee.id, total: '-2.00' }),
      ).toMatchObject({ refGet: '-2.00' });
    });

    it('negative balance: suspends once (ban + class, group − 1 when > 1, score − 1); a second run changes nothing', async () => {
      const old = { t: unixSecondsAgo(3 * DAY_S), regDate: daysAgo(2) };
      const inDebt = await insertAccount(ds, {
        ...old,
        money: '-0.01',
        classLevel: 2,
        nodeGroup: 3,
        score: 5,
        banTimes: 1,
        classExpire: new Date(Date.now() + 1e8),
      });
      const inDebtGroup1 = await insertAccount(ds, {
        ...old,
        money: '-3.00',
        nodeGroup: 1,
        lastCheckInTime: nowS(),
      });
      const zero = await insertAccount(ds, {
        ...old,
        money: '0.00',
        lastCheckInTime: nowS(),
      });
      await dryThenReal('check', 'negative_balance', 2);
      expect(await reloadAccount(ds, inDebt.id)).toMatchObject({
        enable: 0,
        banTimes: 3,
        nodeGroup: 2,
        score: 4,
        warming: expect.stringMatching(/negative/),
      });
      expect(await reloadAccount(ds, inDebtGroup1.id)).toMatchObject({
        enable: 0,
        nodeGroup: 1,
        score: -1,
      });
      expect(await reloadAccount(ds, zero.id)).toEqual(zero);
      const before = await snapshot(ds);
      const second = await run('check');
      expect(second.steps.negative_balance.affected).toBe(0);
      expect(await snapshot(ds)).toEqual(before);
    });
  });

  describe('clean', () => {
    it('deletes node and traffic logs past LOG_RETENTION_DAYS and traffic_report past a day', async () => {
      const old = unixSecondsAgo(3 * DAY_S + 60);
      const fresh = unixSecondsAgo(3 * DAY_S - 60);
      await ds.getRepository(SsNodeInfo).insert([
        { nodeId: 1, uptime: 1, load: '0.1', logTime: old },
        { nodeId: 1, uptime: 1, load: '0.1', logTime: fresh },
      ]);
      await ds.getRepository(SsNodeOnlineLog).insert([
        { nodeId: 1, onlineUser: 1, logTime: old },
        { nodeId: 1, onlineUser: 1, logTime: old },
        { nodeId: 1, onlineUser: 1, logTime: fresh },
      ]);
      await ds.getRepository(UserTrafficLog).insert([
        {
          userId: 1,
          u: 1,
          d: 1,
          nodeId: 1,
          rate: 1,
          traffic: '2B',
          logTime: old,
        },
        {
          userId: 1,
          u: 1,
          d: 1,
          nodeId: 1,
          rate: 1,
          traffic: '2B',
          logTime: fresh,
        },
      ]);
      await ds.getRepository(DetectLog).insert([
        { userId: 1, listId: 1, nodeId: 1, datetime: old },
        { userId: 1, listId: 1, nodeId: 1, datetime: fresh },
      ]);
      await ds.getRepository(TrafficReport).insert([
        { nodeId: 1, reportKey: 'a', receivedAt: unixSecondsAgo(DAY_S + 60) },
        { nodeId: 1, reportKey: 'b', receivedAt: unixSecondsAgo(DAY_S - 60) },
      ]);
      // PAYMENT_CALLBACK_RETENTION_DAYS defaults to 180.
      await ds
        .getRepository(PaymentCallback)
        .insert([
          callbackRecord(unixSecondsAgo(180 * DAY_S + 60), 'old'),
          callbackRecord(unixSecondsAgo(180 * DAY_S - 60), 'kept'),
        ]);
      const before = await snapshot(ds);
      const dry = await run('clean', true);
      expect(await snapshot(ds)).toEqual(before);
      const real = await run('clean');
      const counts = (r: JobRunResult) =>
        Object.fromEntries(
          Object.entries(r.steps).map(([k, v]) => [k, v.affected]),
        );
      const expected = {
        node_info: 1,
        node_online_log: 2,
        user_traffic_log: 1,
        detect_log: 1,
        traffic_report: 1,
        payment_callbacks: 1,
      };
      expect(counts(dry)).toEqual(expected);
      expect(counts(real)).toEqual(expected);
      expect(await ds.getRepository(SsNodeOnlineLog).count()).toBe(1);
      expect(
        (await ds.getRepository(TrafficReport).find()).map((r) => r.reportKey),
      ).toEqual(['b']);
      expect(
        (await ds.getRepository(PaymentCallback).find()).map((c) => c.tradeno),
      ).toEqual(['kept']);
    });

    it('walks id ranges past empty gaps and many batches', async () => {
      const old = unixSecondsAgo(10 * DAY_S);
      const rows = Array.from({ length: 2500 }, (_, i) => ({
        nodeId: 1,
        onlineUser: i,
        logTime: i < 2300 ? old : nowS(),
      }));
      for (let i = 0; i < rows.length; i += 500)
        await ds.getRepository(SsNodeOnlineLog).insert(rows.slice(i, i + 500));
      const result = await run('clean');
      expect(result.steps.node_online_log.affected).toBe(2300);
      expect(await ds.getRepository(SsNodeOnlineLog).count()).toBe(200);
    });
  });

  describe('runs', () => {
    it('a failing step leaves the others done and the run partial, recorded in job_run', async () => {
      const due = await insertAccount(ds, {
        classLevel: 1,
        renewTime: unixSecondsAgo(60),
        d: 9,
      });
      const spy = jest
        .spyOn(t.app.get(NodeMaintenanceService), 'markDeadNodes')
        .mockRejectedValueOnce(new Error('injected failure'));
      try {
        const result = await run('daily');
        expect(result.status).toBe('partial');
        expect(result.steps.dead_nodes).toMatchObject({
          affected: 0,
          error: 'injected failure',
        });
        expect(result.steps.traffic_cycle.affected).toBe(1);
        expect(Object.keys(result.steps)).toEqual([
          'traffic_cycle',
          'dead_nodes',
          'traffic_guard',
          'unused_accounts',
          'over_allowance',
          'activity_score',
          'clawback',
          'statistics',
          'level_expiry',
        ]);
        expect((await reloadAccount(ds, due.id))!.d).toBe(0);
        const row = await ds
          .getRepository(JobRun)
          .findOneByOrFail({ id: result.id });
        expect(row).toMatchObject({
          job: 'daily',
          status: 'partial',
          dryRun: 0,
        });
        expect(row.finishedAt).toBeGreaterThanOrEqual(row.startedAt);
        expect(JSON.parse(row.steps!).dead_nodes.error).toBe(
          'injected failure',
        );
      } finally {
        spy.mockRestore();
      }
    });

    it('two concurrent runs of one job in one instance: one runs, one is skipped_locked', async () => {
      const nodes = t.app.get(NodeMaintenanceService);
      const slow = jest
        .spyOn(nodes, 'pruneIpRecords')
        .mockImplementation(
          () => new Promise((resolve) => setTimeout(() => resolve(0), 300)),
        );
      try {
        const results = await Promise.all([run('check'), run('check')]);
        expect(results.map((r) => r.status).sort()).toEqual([
          'ok',
          'skipped_locked',
        ]);
        const rows = await ds.getRepository(JobRun).findBy({ job: 'check' });
        expect(rows.map((r) => r.status).sort()).toEqual([
          'ok',
          'skipped_locked',
        ]);
        // Released at the end of a manual run: the next run takes the lock again.
        expect((await run('check')).status).toBe('ok');
      } finally {
        slow.mockRestore();
      }
    });

    // In-memory twins of the two Redis-only tests below (one process, the embedded mode).
    itWithoutRedis(
      'in memory a cron run keeps its lock for the rest of its tick; it lapses after',
      async () => {
        const start = Date.now();
        expect((await run('check')).status).toBe('ok'); // manual: released at once
        const cron = () => runner.run('check', { trigger: 'cron' });
        expect((await cron()).status).toBe('ok');
        expect((await cron()).status).toBe('skipped_locked');
        expect((await run('check')).status).toBe('skipped_locked');
        jest.spyOn(Date, 'now').mockReturnValue(start + TICK_HOLD_MS + 1_000);
        try {
          expect((await run('check')).status).toBe('ok');
        } finally {
          jest.restoreAllMocks();
        }
      },
    );

    itWithoutRedis(
      "in memory a lock is released only by its owner: an expired holder cannot free its successor's lock",
      async () => {
        const locks = t.app.get(JobLockService);
        const a = await locks.acquire('owner-test');
        expect(a).not.toBeNull();
        expect(await locks.acquire('owner-test')).toBeNull();
        const start = Date.now();
        const clock = jest.spyOn(Date, 'now');
        try {
          clock.mockReturnValue(start + 10 * 60_000); // past A's TTL: A stalled
          const b = await locks.acquire('owner-test');
          expect(b).not.toBeNull();
          await a!.release();
          expect(await locks.acquire('owner-test')).toBeNull(); // B still holds it
          await b!.release();
          const c = await locks.acquire('owner-test');
          expect(c).not.toBeNull();
          await c!.release();
        } finally {
          clock.mockRestore();
        }
      },
    );

    it('admin routes: run (dry and real), list recent runs, refuse unknown jobs and non-admins', async () => {
      await insertAccount(ds, { money: '-1.00', lastCheckInTime: nowS() });
      const dry = await t
        .http()
        .post(`${API}/admin/jobs/check/run`)
        .set(admin.auth)
        .send({ dry_run: true })
        .expect(200);
      expect(dry.body).toMatchObject({
        ret: 1,
        data: {
          job: 'check',
          status: 'ok',
          dry_run: true,
          steps: { negative_balance: { affected: 1 } },
        },
      });
      const real = await t
        .http()
        .post(`${API}/admin/jobs/check/run`)
        .set(admin.auth)
        .send({})
        .expect(200);
      expect(real.body.data).toMatchObject({
        dry_run: false,
        steps: { negative_balance: { affected: 1 } },
      });

      const list = await t
        .http()
        .get(`${API}/admin/jobs?limit=1`)
        .set(admin.auth)
        .expect(200);
      expect(list.body.data.count).toBe(1);
      expect(list.body.data.runs[0]).toMatchObject({
        id: real.body.data.id,
        job: 'check',
        status: 'ok',
        dry_run: false,
      });

      const unknown = await t
        .http()
        .post(`${API}/admin/jobs/weekly/run`)
        .set(admin.auth)
        .send({})
        .expect(400);
      expect(unknown.body).toMatchObject({ ret: 0, code: 'VALIDATION_FAILED' });
      expect(unknown.body.errors.name).toMatch(/daily, hourly, check, clean/);
      await t
        .http()
        .post(`${API}/admin/jobs/check/run`)
        .set(admin.auth)
        .send({ dry_run: 'yes' })
        .expect(400);
      await t
        .http()
        .get(`${API}/admin/jobs?limit=1000`)
        .set(admin.auth)
        .expect(400);

      const member = await signUp(t);
      await t
        .http()
        .post(`${API}/admin/jobs/check/run`)
        .set(member.auth)
        .send({})
        .expect(403);
      await t.http().get(`${API}/admin/jobs`).set(member.auth).expect(403);
      await t.http().post(`${API}/admin/jobs/check/run`).send({}).expect(401);
    });
  });
});

describe.each([
  ['7', 7 * DAY_S + 60, 1],
  ['0', 3650 * DAY_S, 0],
])(
  'payment_callback retention of %s days (the payment config owns the threshold)',
  (days, oldAgeS, deleted) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { PAYMENT_CALLBACK_RETENTION_DAYS: days },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it(`the clean job deletes ${deleted} record(s) of ${(oldAgeS / DAY_S) | 0} days and keeps a recent one`, async () => {
      const repo = t.dataSource.getRepository(PaymentCallback);
      await repo.insert([
        callbackRecord(unixSecondsAgo(oldAgeS), 'old'),
        callbackRecord(unixSecondsAgo(6 * DAY_S), 'recent'),
      ]);
      const runner = t.app.get(JobRunnerService);
      const dry = await runner.run('clean', {
        dryRun: true,
        trigger: 'manual',
      });
      expect(dry.steps.payment_callbacks.affected).toBe(deleted);
      expect(await repo.count()).toBe(2);
      const real = await runner.run('clean', { trigger: 'manual' });
      expect(real.status).toBe('ok');
      expect(real.steps.payment_callbacks.affected).toBe(deleted);
      expect(
        (await repo.find({ order: { id: 'ASC' } })).map((c) => c.tradeno),
      ).toEqual(deleted ? ['recent'] : ['old', 'recent']);
    });
  },
);

/**
 * Two app instances on the same MariaDB + Redis: the Redis lock makes a job run once. Without
 * REDIS_URL each instance has its own in-memory lock (the embedded mode is one process), so
 * this only runs against Redis.
 */
describeWithRedis('scheduler across two instances (Redis lock)', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp();
    second = await createTestApp({ reuseDatabase: true });
  });
  afterAll(async () => {
    // Only the first instance owns (and drops) the database: close the second one first.
    await second?.close();
    await first?.close();
  });

  it('the same job triggered on both at once runs once: one ok, one skipped_locked', async () => {
    const spies = [first, second].map((app) =>
      jest
        .spyOn(app.app.get(NodeMaintenanceService), 'pruneIpRecords')
        .mockImplementation(
          () => new Promise((resolve) => setTimeout(() => resolve(0), 300)),
        ),
    );
    try {
      const results = await Promise.all(
        [first, second].map((app) =>
          app.app.get(JobRunnerService).run('check', { trigger: 'cron' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([
        'ok',
        'skipped_locked',
      ]);
      const rows = await first.dataSource
        .getRepository(JobRun)
        .findBy({ job: 'check' });
      expect(rows.map((r) => r.status).sort()).toEqual([
        'ok',
        'skipped_locked',
      ]);
      // A cron run keeps the lock for the rest of its tick: a late replica's run is skipped too.
      const late = await second.app
        .get(JobRunnerService)
        .run('check', { trigger: 'cron' });
      expect(late.status).toBe('skipped_locked');
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  it("a lock is released only by its owner: an expired holder cannot free its successor's lock", async () => {
    const locks = [first, second].map((app) => app.app.get(JobLockService));
    const redis = first.app.get(RedisService).client!;
    const a = await locks[0].acquire('owner-test');
    expect(a).not.toBeNull();
    expect(await locks[1].acquire('owner-test')).toBeNull();
    await redis.del(a!.key); // as if A's TTL ran out while it was stalled
    const b = await locks[1].acquire('owner-test');
    expect(b).not.toBeNull();
    await a!.release();
    expect(await redis.get(b!.key)).toBe(b!.token);
    expect(await redis.pttl(b!.key)).toBeGreaterThan(0);
    await b!.release();
    expect(await redis.exists(b!.key)).toBe(0);
  });
});
