import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from '../../src/config/database.config.js';
import { buildDataSourceOptions } from '../../src/database/typeorm.options.js';
import { User } from '../../src/database/entities/index.js';
import { insertAccount } from '../factories/account.factory.js';
import { compileApp, CompiledApp } from '../utils/compiled-app.js';
import { itWithRedis } from '../utils/modes.js';
import { dropDatabase, prepareTestDatabase } from '../utils/test-database.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run job` and `npm run ledger:check` as an operator runs them: the compiled CLI in its
 * own process against this worker's database (and Redis), judged by exit code and output.
 */
describe('CLI commands (compiled, spawned)', () => {
  let build: CompiledApp;
  let ds: DataSource;

  beforeAll(async () => {
    build = compileApp();
    await prepareTestDatabase();
    ds = await new DataSource(
      buildDataSourceOptions(loadDatabaseSettings()),
    ).initialize();
  }, 180_000);
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(loadDatabaseSettings());
  });

  const cli = (script: string, args: string[] = []): Promise<Exit> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join('dist/cli', script), ...args],
        {
          cwd: build.dir,
          env: { ...process.env, LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('ledger:check exits 0 on a consistent ledger, 1 listing each user that disagrees', async () => {
    const ok = await cli('ledger-check.js');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain(
      'ledger: consistent — every balance matches its user_money_log',
    );

    const drifted = await insertAccount(ds, { money: '3.00' });
    const bad = await cli('ledger-check.js');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ledger: 1 problem(s)');
    expect(bad.stderr).toMatch(
      new RegExp(`user ${drifted.id}: money 3(\\.00)? but no ledger rows`),
    );
    await ds.getRepository(User).update({ id: drifted.id }, { money: '0.00' });
    expect((await cli('ledger-check.js')).code).toBe(0);
  }, 120_000);

  it('job: 0 when ok (a dry run says so), 64 on bad usage', async () => {
    const dry = await cli('job.js', ['check', '--dry-run']);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(
      /^job check: ok \(dry run: nothing changed\), run \d+/,
    );
    expect(dry.stdout).toContain('ip_records');
    const real = await cli('job.js', ['clean']);
    expect(real).toMatchObject({ code: 0 });
    expect(real.stdout).toMatch(/^job clean: ok, run \d+/);
    for (const args of [
      [],
      ['nightly'],
      ['check', '--force'],
      ['check', 'clean'],
    ]) {
      const res = await cli('job.js', args);
      expect(res.code).toBe(64);
      expect(res.stderr).toContain(
        'usage: npm run job -- <daily|hourly|check|clean> [--dry-run]',
      );
    }
  }, 120_000);

  it('job: 1 when a step fails (partial), naming the step', async () => {
    await ds.query(`DROP TABLE ${ds.driver.escape('detect_log')}`);
    const res = await cli('job.js', ['clean']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^job clean: partial, run \d+/);
    expect(res.stdout).toMatch(/detect_log .* FAILED: /);
  }, 120_000);

  itWithRedis(
    'job: 2 while another instance holds the lock; a dry run takes no lock and still runs',
    async () => {
      const redis = new Redis(process.env.REDIS_URL!, {
        keyPrefix: process.env.REDIS_KEY_PREFIX,
      });
      try {
        await redis.set('job:lock:hourly', 'another-instance', 'PX', 60_000);
        const locked = await cli('job.js', ['hourly']);
        expect(locked.code).toBe(2);
        expect(locked.stdout).toMatch(/^job hourly: skipped_locked, run \d+/);
        const dry = await cli('job.js', ['hourly', '--dry-run']);
        expect(dry.code).toBe(0);
        expect(await redis.get('job:lock:hourly')).toBe('another-instance');
      } finally {
        await redis.del('job:lock:hourly');
        redis.disconnect();
      }
    },
    120_000,
  );
});
