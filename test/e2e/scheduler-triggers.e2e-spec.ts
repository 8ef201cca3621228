import { jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobRun } from '../../src/database/entities/index.js';
import { ExpiringStore } from '../../src/modules/redis/expiring-store.js';
import { JobCatalog } from '../../src/modules/scheduler/job-catalog.js';
import { JobLockService } from '../../src/modules/scheduler/job-lock.service.js';
import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/**
 * The cron triggers as registered at boot (expressions and SCHEDULER_TZ from the environment,
 * a tick running its job as a cron run) and the job lock's renewal while a job outlives the
 * lock's TTL (issue #17). In memory and on Redis alike: the lock service picks its store.
 */

const MINUTE_MS = 60_000;

/** The wall-clock fields of `date` in `timeZone`, as numbers (weekday 0 = Sunday). */
function wallClock(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(
      part('weekday'),
    ),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
  };
}

function nextRun(t: TestApp, job: string): Date {
  return t.app
    .get(SchedulerRegistry)
    .getCronJob(`job:${job}`)
    .nextDate()
    .toJSDate();
}

describe('cron triggers (e2e): the defaults, in Asia/Shanghai', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SCHEDULER_ENABLED: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers one trigger per job at its default time, in Shanghai time whatever the host zone', () => {
    const now = Date.now();
    const registered = [...t.app.get(SchedulerRegistry).getCronJobs().keys()];
    expect(registered.sort()).toEqual([
      'job:check',
      'job:clean',
      'job:daily',
      'job:hourly',
    ]);

    // daily 0 2 * * *: 02:00 in Shanghai (UTC+8, no DST) is 18:00 UTC, within a day
    const daily = nextRun(t, 'daily');
    expect(wallClock(daily, 'Asia/Shanghai')).toMatchObject({
      hour: 2,
      minute: 0,
    });
    expect([daily.getUTCHours(), daily.getUTCMinutes()]).toEqual([18, 0]);
    expect(daily.getTime() - now).toBeLessThanOrEqual(24 * 60 * MINUTE_MS);

    // hourly 5 * * * *: the next :05, within the hour
    const hourly = nextRun(t, 'hourly');
    expect(hourly.getUTCMinutes()).toBe(5);
    expect(hourly.getTime() - now).toBeLessThanOrEqual(60 * MINUTE_MS);

    // check */10 * * * *: the next ten-minute mark
    const check = nextRun(t, 'check');
    expect(check.getUTCMinutes() % 10).toBe(0);
    expect(check.getTime() - now).toBeLessThanOrEqual(10 * MINUTE_MS);

    // clean 0 4 * * 0: Sunday 04:00 in Shanghai is Saturday 20:00 UTC, within a week
    const clean = nextRun(t, 'clean');
    expect(wallClock(clean, 'Asia/Shanghai')).toEqual({
      weekday: 0,
      hour: 4,
      minute: 0,
    });
    expect([clean.getUTCDay(), clean.getUTCHours()]).toEqual([6, 20]);
    expect(clean.getTime() - now).toBeLessThanOrEqual(7 * 24 * 60 * MINUTE_MS);
  });
});

describe('cron triggers (e2e): configured expressions and SCHEDULER_TZ', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SCHEDULER_ENABLED: 'true',
        SCHEDULER_TZ: 'America/New_York',
        JOB_DAILY_CRON: '30 3 * * *',
        // every second (the six-field form): the test watches real ticks
        JOB_CHECK_CRON: '* * * * * *',
        JOB_HOURLY_CRON: '0 0 1 1 *',
        JOB_CLEAN_CRON: '0 0 1 1 *',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads each expression and the time zone from the environment', () => {
    const daily = nextRun(t, 'daily');
    expect(wallClock(daily, 'America/New_York')).toMatchObject({
      hour: 3,
      minute: 30,
    });
    // 03:30 in New York is 07:30 (EDT) or 08:30 (EST) UTC, never 03:30
    expect([7, 8]).toContain(daily.getUTCHours());
    expect(daily.getUTCMinutes()).toBe(30);
    const hourly = nextRun(t, 'hourly');
    expect(wallClock(hourly, 'America/New_York')).toMatchObject({
      hour: 0,
      minute: 0,
    });
    expect([hourly.getUTCMonth(), hourly.getUTCDate()]).toEqual([0, 1]);
  });

  it('a tick runs its job as a cron run: the first tick runs, later ticks of the hold meet the lock, and so does a manual run', async () => {
    const runs = t.dataSource.getRepository(JobRun);
    const deadline = Date.now() + 15_000;
    while ((await runs.countBy({ job: 'check' })) < 3) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(200);
    }
    const statuses = (await runs.find({ where: { job: 'check' } })).map(
      (r) => r.status,
    );
    // status 'running' only while the first run is still going
    expect(statuses.filter((s) => s === 'ok' || s === 'running')).toHaveLength(
      1,
    );
    expect(statuses.filter((s) => s === 'skipped_locked').length).toBe(
      statuses.length - 1,
    );
    // other jobs' triggers are far away: nothing else ran
    expect(await runs.count()).toBe(statuses.length);
    const manual = await t.app
      .get(JobRunnerService)
      .run('check', { trigger: 'manual' });
    expect(manual.status).toBe('skipped_locked');
  });
});

describe('job lock renewal (e2e): JOB_LOCK_TTL_MS=1000', () => {
  let t: TestApp;
  let locks: JobLockService;
  beforeAll(async () => {
    t = await createTestApp({ env: { JOB_LOCK_TTL_MS: '1000' } });
    locks = t.app.get(JobLockService);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('SCHEDULER_ENABLED=false (the test default) registers no trigger', () => {
    expect(t.app.get(SchedulerRegistry).getCronJobs().size).toBe(0);
  });

  it('a run that outlives the TTL keeps its lock (renewed every third of it), then frees it', async () => {
    const catalog = t.app.get(JobCatalog);
    const [first] = catalog.steps('clean');
    jest
      .spyOn(catalog, 'steps')
      .mockReturnValue([{ ...first, run: () => sleep(2_600).then(() => 0) }]);
    const running = t.app
      .get(JobRunnerService)
      .run('clean', { trigger: 'manual' });
    // Past twice the TTL: without renewal the lock would have lapsed by now.
    await sleep(2_100);
    expect(await locks.acquire('clean')).toBeNull();
    expect((await running).status).toBe('ok');
    const after = await locks.acquire('clean');
    expect(after).not.toBeNull();
    await after!.release();
  });

  it('a holder whose lock lapsed and was taken learns it is lost, and renews nothing of its successor', async () => {
    const store = t.app.get(ExpiringStore);
    const a = (await locks.acquire('renewal-test'))!;
    expect(a).not.toBeNull();
    // as if A's TTL ran out while it was stalled
    expect(await store.deleteIfEquals(a.key, a.token)).toBe(true);
    const b = (await locks.acquire('renewal-test'))!;
    expect(b).not.toBeNull();
    await sleep(700); // two renewal periods (333 ms)
    expect(a.lost).toBe(true);
    expect(b.lost).toBe(false);
    expect(await store.get(b.key)).toBe(b.token);
    await a.release();
    expect(await locks.acquire('renewal-test')).toBeNull(); // B still holds it
    await b.release();
    expect(await store.get(b.key)).toBeNull();
  });
});
