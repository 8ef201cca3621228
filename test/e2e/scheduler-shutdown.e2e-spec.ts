import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from '../../src/config/database.config.js';
import { JobRun } from '../../src/database/entities/index.js';
import { buildDataSourceOptions } from '../../src/database/typeorm.options.js';
import { NodeMaintenanceService } from '../../src/modules/node/node-maintenance.service.js';
import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import { createTestApp } from '../utils/test-app.js';
import { dropDatabase } from '../utils/test-database.js';

describe('scheduler on shutdown (e2e)', () => {
  it('a running job finishes its current step, skips the rest, and is recorded partial before the pool closes', async () => {
    const t = await createTestApp();
    let entered!: () => void;
    const inStep = new Promise<void>((resolve) => (entered = resolve));
    // `check` starts with ip_records: make it slow so shutdown lands in the middle of it.
    jest
      .spyOn(t.app.get(NodeMaintenanceService), 'pruneIpRecords')
      .mockImplementation(async () => {
        entered();
        await new Promise((r) => setTimeout(r, 300));
        return 7;
      });
    const running = t.app.get(JobRunnerService).run('check');
    await inStep;
    await t.app.close(); // what SIGTERM triggers (enableShutdownHooks)
    const result = await running;

    expect(result.status).toBe('partial');
    expect(result.steps.ip_records).toEqual({
      affected: 7,
      duration_ms: expect.any(Number),
    });
    const skipped = Object.entries(result.steps).filter(
      ([name]) => name !== 'ip_records',
    );
    expect(skipped.length).toBeGreaterThan(0);
    for (const [, outcome] of skipped)
      expect(outcome.error).toBe('skipped: shutting down');

    const settings = loadDatabaseSettings();
    const ds = await new DataSource(
      buildDataSourceOptions(settings),
    ).initialize();
    try {
      const row = await ds
        .getRepository(JobRun)
        .findOneByOrFail({ id: result.id });
      expect(row.status).toBe('partial');
      expect(row.finishedAt).not.toBeNull();
    } finally {
      await ds.destroy();
      await dropDatabase(settings);
    }
  });
});
