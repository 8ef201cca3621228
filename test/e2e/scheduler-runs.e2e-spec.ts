import { jest } from '@jest/globals';
import { JobRun } from '../../src/database/entities/index.js';
import { JobCatalog } from '../../src/modules/scheduler/job-catalog.js';
import { JobLockService } from '../../src/modules/scheduler/job-lock.service.js';
import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/**
 * Run statuses the scheduler suite does not reach: a dry run while the lock is held elsewhere
 * (dry runs take no lock), `failed` when every step fails, and `failed` when the lock itself
 * cannot be had. In memory and on Redis alike (the lock service picks its store).
 */
describe('scheduler runs (e2e): dry runs, failed runs', () => {
  let t: TestApp;
  let runner: JobRunnerService;
  let locks: JobLockService;

  beforeAll(async () => {
    t = await createTestApp();
    runner = t.app.get(JobRunnerService);
    locks = t.app.get(JobLockService);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const row = (id: number) =>
    t.dataSource.getRepository(JobRun).findOneByOrFail({ id });

  it('a dry run takes no lock: it runs while another holder has the lock, which stays held', async () => {
    const held = await locks.acquire('check');
    expect(held).not.toBeNull();
    try {
      const dry = await runner.run('check', {
        dryRun: true,
        trigger: 'manual',
      });
      expect(dry).toMatchObject({ status: 'ok', dry_run: true });
      expect(await row(dry.id)).toMatchObject({ status: 'ok', dryRun: 1 });
      // The real run still meets the lock: the dry run neither took nor released it.
      const real = await runner.run('check', { trigger: 'manual' });
      expect(real.status).toBe('skipped_locked');
    } finally {
      await held!.release(0);
    }
    expect((await runner.run('check', { trigger: 'manual' })).status).toBe(
      'ok',
    );
  });

  it('every step failing makes the run failed, recorded with each error', async () => {
    const catalog = t.app.get(JobCatalog);
    const real = catalog.steps('clean');
    jest.spyOn(catalog, 'steps').mockReturnValue(
      real.map((step) => ({
        ...step,
        run: () => Promise.reject(new Error(`${step.name} broke`)),
      })),
    );
    const result = await runner.run('clean', { trigger: 'manual' });
    expect(result.status).toBe('failed');
    expect(Object.keys(result.steps)).toEqual(real.map((s) => s.name));
    for (const step of real)
      expect(result.steps[step.name]).toMatchObject({
        affected: 0,
        error: `${step.name} broke`,
      });
    const stored = await row(result.id);
    expect(stored.status).toBe('failed');
    expect(JSON.parse(stored.steps!).node_info.error).toBe('node_info broke');
    // The lock was released: the next run is not skipped.
    jest.restoreAllMocks();
    expect((await runner.run('clean', { trigger: 'manual' })).status).toBe(
      'ok',
    );
  });

  it('a lock that cannot be had (lock store down) fails the run without running a step', async () => {
    jest
      .spyOn(locks, 'acquire')
      .mockRejectedValueOnce(new Error('lock store unreachable'));
    const result = await runner.run('hourly', { trigger: 'manual' });
    expect(result).toMatchObject({
      status: 'failed',
      steps: {
        lock: { affected: 0, duration_ms: 0, error: 'lock store unreachable' },
      },
    });
    expect(await row(result.id)).toMatchObject({ status: 'failed' });
  });
});
