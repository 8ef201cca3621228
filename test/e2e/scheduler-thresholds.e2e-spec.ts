import { DataSource } from 'typeorm';
import {
  DetectLog,
  JobRun,
  SsNode,
  SsNodeInfo,
  SsNodeOnlineLog,
  User,
  UserArchive,
  UserTrafficLog,
} from '../../src/database/entities/index.js';
import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import type {
  JobName,
  JobRunResult,
} from '../../src/modules/scheduler/scheduler.constants.js';
import { TrafficSnapshotStore } from '../../src/modules/user/traffic-snapshot.store.js';
import {
  daysAgo,
  insertAccount,
  reloadAccount,
  unixSecondsAgo,
} from '../factories/account.factory.js';
import { createNode } from '../factories/node.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/**
 * The jobs' configuration as an operator sets it (issue #17): the deletion switches, a step
 * switch, and one threshold per job at a non-default value. Each row sits on the side of the
 * configured threshold that the default would decide the other way, so a step that ignored
 * its variable (or read the default) fails here. scheduler.e2e-spec.ts covers the defaults.
 */

const GB = 1024 ** 3;
const DAY_S = 86_400;
const TABLES = [
  User,
  UserArchive,
  SsNode,
  SsNodeInfo,
  SsNodeOnlineLog,
  UserTrafficLog,
  DetectLog,
  JobRun,
];

/** Boots one app with `env` for the describe block; every test starts from empty tables. */
function appWith(env: Record<string, string>): {
  t: () => TestApp;
  ds: () => DataSource;
  run: (job: JobName, dryRun?: boolean) => Promise<JobRunResult>;
} {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const e of TABLES)
      await t.dataSource.createQueryBuilder().delete().from(e).execute();
  });
  return {
    t: () => t,
    ds: () => t.dataSource,
    run: (job, dryRun = false) =>
      t.app.get(JobRunnerService).run(job, { dryRun, trigger: 'manual' }),
  };
}

/** One account per deletion rule, each past its default threshold. */
async function oneAccountPerRule(ds: DataSource): Promise<User[]> {
  return [
    await insertAccount(ds, { t: 0, regDate: daysAgo(15), money: '1.00' }),
    await insertAccount(ds, {
      lastCheckInTime: unixSecondsAgo(33 * DAY_S),
      regDate: daysAgo(40),
    }),
    await insertAccount(ds, {
      t: unixSecondsAgo(8 * DAY_S),
      u: 5,
      regDate: daysAgo(10),
    }),
    await insertAccount(ds, { expireIn: daysAgo(20), money: '0.00' }),
  ];
}

describe('DELETE_USERS=false (e2e)', () => {
  const app = appWith({ DELETE_USERS: 'false' });

  it('deletes no account, whichever rule it matches, in a dry run or a real one', async () => {
    const ds = app.ds();
    const accounts = await oneAccountPerRule(ds);
    const dry = await app.run('check', true);
    const real = await app.run('check');
    expect([dry.status, real.status]).toEqual(['ok', 'ok']);
    expect(dry.steps.account_deletion.affected).toBe(0);
    expect(real.steps.account_deletion.affected).toBe(0);
    for (const u of accounts) expect(await reloadAccount(ds, u.id)).toEqual(u);
    expect(await ds.getRepository(UserArchive).count()).toBe(0);
  });
});

describe('deletion rules switched off one by one, thresholds moved (e2e)', () => {
  describe('AUTO_CLEAN_NEVER_USED=false, AUTO_CLEAN_UNUSED=false; check-in and expiry at 10 and 2 days', () => {
    const app = appWith({
      AUTO_CLEAN_NEVER_USED: 'false',
      AUTO_CLEAN_UNUSED: 'false',
      AUTO_CLEAN_UNCHECK_DAYS: '10',
      AUTO_CLEAN_MIN_MONEY: '0.50',
      ACCOUNT_EXPIRE_DELETE_DAYS: '2',
      // a step switch: check without its negative-balance step
      JOB_CHECK_NEGATIVE_BALANCE: 'false',
    });

    it('deletes by the two rules still on, at their configured thresholds; the others keep their accounts', async () => {
      const ds = app.ds();
      const doomed = [
        // no check-in for 11 days (default 32 keeps it), money within AUTO_CLEAN_MIN_MONEY
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(11 * DAY_S),
          regDate: daysAgo(40),
          money: '0.50',
        }),
        // expired 3 days ago (default 7 keeps it)
        await insertAccount(ds, { expireIn: daysAgo(3), money: '0.00' }),
      ];
      const kept = [
        // never used and unused: past their (default) thresholds, rules off
        await insertAccount(ds, { t: 0, regDate: daysAgo(15), money: '1.00' }),
        await insertAccount(ds, {
          t: unixSecondsAgo(8 * DAY_S),
          u: 5,
          regDate: daysAgo(10),
        }),
        // on the near side of the moved thresholds
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(9 * DAY_S),
          regDate: daysAgo(40),
        }),
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(11 * DAY_S),
          regDate: daysAgo(40),
          money: '0.51',
        }),
        await insertAccount(ds, { expireIn: daysAgo(1), money: '0.00' }),
      ];
      // negative balance: its step is switched off, so the account stays enabled
      const inDebt = await insertAccount(ds, { money: '-1.00' });
      const dry = await app.run('check', true);
      expect(dry.steps.account_deletion.affected).toBe(doomed.length);
      const real = await app.run('check');
      expect(real.status).toBe('ok');
      expect(Object.keys(real.steps)).toEqual([
        'ip_records',
        'level_expiry',
        'account_deletion',
      ]);
      expect(real.steps.account_deletion.affected).toBe(doomed.length);
      for (const u of doomed) expect(await reloadAccount(ds, u.id)).toBeNull();
      for (const u of [...kept, inDebt])
        expect(await reloadAccount(ds, u.id)).toEqual(u);
      const archives = await ds
        .getRepository(UserArchive)
        .find({ order: { userId: 'ASC' } });
      expect(archives.map((a) => [a.userId, a.reason])).toEqual([
        [doomed[0].id, expect.stringMatching(/no check-in for 10 days/)],
        [doomed[1].id, expect.stringMatching(/expired over 2 days/)],
      ]);
    });
  });

  describe('AUTO_CLEAN_UNCHECK=false, ACCOUNT_EXPIRE_DELETE=false; never used after 3 days up to 5.00, no traffic for 20 days', () => {
    const app = appWith({
      AUTO_CLEAN_UNCHECK: 'false',
      ACCOUNT_EXPIRE_DELETE: 'false',
      AUTO_CLEAN_NEVER_USED_DAYS: '3',
      AUTO_CLEAN_NEVER_USED_MAX_MONEY: '5',
      AUTO_CLEAN_UNUSED_DAYS: '20',
    });

    it('deletes never-used and unused accounts at the configured thresholds only', async () => {
      const ds = app.ds();
      const doomed = [
        // 4 days old with 4.00 (the defaults, 14 days and 1.00, keep it)
        await insertAccount(ds, { t: 0, regDate: daysAgo(4), money: '4.00' }),
        // no traffic for 21 days
        await insertAccount(ds, {
          t: unixSecondsAgo(21 * DAY_S),
          u: 5,
          regDate: daysAgo(30),
        }),
      ];
      const kept = [
        await insertAccount(ds, { t: 0, regDate: daysAgo(2), money: '0.00' }),
        await insertAccount(ds, { t: 0, regDate: daysAgo(4), money: '5.01' }),
        // no traffic for 8 days: the default 7 would delete it
        await insertAccount(ds, {
          t: unixSecondsAgo(8 * DAY_S),
          u: 5,
          regDate: daysAgo(30),
        }),
        // the rules switched off, each well past its default threshold
        await insertAccount(ds, {
          lastCheckInTime: unixSecondsAgo(40 * DAY_S),
          regDate: daysAgo(60),
        }),
        await insertAccount(ds, { expireIn: daysAgo(20), money: '0.00' }),
      ];
      const real = await app.run('check');
      expect(real.steps.account_deletion.affected).toBe(doomed.length);
      for (const u of doomed) expect(await reloadAccount(ds, u.id)).toBeNull();
      for (const u of kept) expect(await reloadAccount(ds, u.id)).toEqual(u);
    });
  });
});

describe('one threshold per job at a non-default value (e2e)', () => {
  const app = appWith({
    NODE_DEAD_AFTER_S: '600',
    HOURLY_GUARD_GB: '1',
    HOURLY_GUARD_GROUPS: '7',
    LOG_RETENTION_DAYS: '10',
  });

  it('daily: NODE_DEAD_AFTER_S=600 marks a node silent for 700 s faulty, not one silent for 500 s', async () => {
    const ds = app.ds();
    const dead = await createNode(ds, { nodeHeartbeat: unixSecondsAgo(700) });
    const alive = await createNode(ds, { nodeHeartbeat: unixSecondsAgo(500) });
    const real = await app.run('daily');
    expect(real.steps.dead_nodes.affected).toBe(1);
    const type = async (id: number) =>
      (await ds.getRepository(SsNode).findOneByOrFail({ id })).type;
    expect([await type(dead.id), await type(alive.id)]).toEqual([0, 1]);
  });

  it('hourly: HOURLY_GUARD_GB=1 in group 7 only suspends 1 GB of growth there, not in group 2', async () => {
    const ds = app.ds();
    const store = app.t().app.get(TrafficSnapshotStore);
    const recent = unixSecondsAgo(120);
    const over = await insertAccount(ds, {
      nodeGroup: 7,
      u: 3 * GB,
      t: recent,
    });
    const under = await insertAccount(ds, {
      nodeGroup: 7,
      u: 3 * GB,
      t: recent,
    });
    // 7 GB of growth in group 2: past the default 6 GB, but group 2 is not watched here
    const unwatched = await insertAccount(ds, {
      nodeGroup: 2,
      u: 7 * GB,
      t: recent,
    });
    await store.write(
      'lasthour',
      [
        { userId: over.id, total: 2 * GB - 1 },
        { userId: under.id, total: 2 * GB },
        { userId: unwatched.id, total: 0 },
      ],
      4600,
    );
    const real = await app.run('hourly');
    expect(real.steps.traffic_guard.affected).toBe(1);
    const enabled = async (id: number) => (await reloadAccount(ds, id))!.enable;
    expect([
      await enabled(over.id),
      await enabled(under.id),
      await enabled(unwatched.id),
    ]).toEqual([0, 1, 1]);
  });

  it('clean: LOG_RETENTION_DAYS=10 keeps logs 9 days old, deletes those 11 days old', async () => {
    const ds = app.ds();
    const old = unixSecondsAgo(11 * DAY_S);
    const kept = unixSecondsAgo(9 * DAY_S); // the default 3 days would delete it
    await ds.getRepository(SsNodeInfo).insert([
      { nodeId: 1, uptime: 1, load: '0.1', logTime: old },
      { nodeId: 1, uptime: 1, load: '0.1', logTime: kept },
    ]);
    await ds.getRepository(SsNodeOnlineLog).insert([
      { nodeId: 1, onlineUser: 1, logTime: old },
      { nodeId: 1, onlineUser: 1, logTime: kept },
    ]);
    const real = await app.run('clean');
    expect(real.steps.node_info.affected).toBe(1);
    expect(real.steps.node_online_log.affected).toBe(1);
    expect(
      (await ds.getRepository(SsNodeInfo).find()).map((r) => r.logTime),
    ).toEqual([kept]);
    expect(
      (await ds.getRepository(SsNodeOnlineLog).find()).map((r) => r.logTime),
    ).toEqual([kept]);
  });
});
