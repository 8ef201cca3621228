import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import {
  compileApp,
  CompiledApp,
  Running as Spawned,
  spawnApp,
} from '../utils/compiled-app.js';

// SIGTERM against the real compiled app in its own process, as Kubernetes sends it. The slow
// request is a genuine one: registration hashes the password with bcrypt, and BCRYPT_ROUNDS=15
// (the schema's maximum) makes that take seconds, so it is in flight when the signal lands.
const API = '/app/api/v0';
let build: CompiledApp;
/** The apps' SQLite files (the shared build directory is read only). */
let dataDir: string;

interface Running extends Spawned {
  sqlite: string;
}

async function startApp(env: Record<string, string>): Promise<Running> {
  const sqlite = join(dataDir, `panel-${Date.now()}-${Math.random()}.sqlite`);
  const app = await spawnApp(build, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SQLITE_PATH: sqlite,
    SCHEDULER_ENABLED: 'false',
    JWT_SECRET: 'shutdown-test-secret-0123456789abcdef',
    MU_KEY: 'shutdown-test-mu-key',
    ...env,
  });
  if (app.child.exitCode !== null)
    throw new Error(`the app did not start:\n${app.output()}`);
  return { ...app, sqlite };
}

const register = (base: string, email: string) =>
  fetch(`${base}${API}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'long-enough-pw' }),
  });

describe('ops: graceful shutdown of the compiled app (e2e, child process)', () => {
  beforeAll(() => {
    build = compileApp();
    dataDir = mkdtempSync(join(tmpdir(), 'panel-shutdown-data-'));
  }, 180_000);
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM during a slow request: no new connections, the request completes, exit 0', async () => {
    const app = await startApp({ BCRYPT_ROUNDS: '15', SHUTDOWN_GRACE_S: '20' });
    try {
      const email = 'slow-request@example.com';
      const started = Date.now();
      const inFlight = register(app.base, email);
      await sleep(400);
      app.child.kill('SIGTERM');
      await sleep(200);

      // The listener is closed: a new connection is refused while the request is still running.
      await expect(
        fetch(`${app.base}/health`, { headers: { connection: 'close' } }),
      ).rejects.toThrow();

      const res = await inFlight;
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ ret: 1, data: { email } });
      const { code, signal } = await app.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(20_000);

      // The write landed before the pool closed.
      const db = await new DataSource({
        type: 'better-sqlite3',
        database: app.sqlite,
      }).initialize();
      try {
        const rows: unknown[] = await db.query(
          'SELECT id FROM user WHERE email = ?',
          [email],
        );
        expect(rows).toHaveLength(1);
      } finally {
        await db.destroy();
      }
      expect(app.output()).toContain('Draining HTTP');
      expect(app.output()).toContain('HTTP drained');
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 150_000);

  it('the wait is bounded by SHUTDOWN_GRACE_S: a request outliving it is cut and the process still exits 0', async () => {
    const app = await startApp({ BCRYPT_ROUNDS: '15', SHUTDOWN_GRACE_S: '0' });
    try {
      const inFlight = register(app.base, 'too-slow@example.com').then(
        (r) => r.status,
        () => 'cut',
      );
      await sleep(400);
      const signalled = Date.now();
      app.child.kill('SIGTERM');
      const { code } = await app.exited;
      expect(code).toBe(0);
      expect(await inFlight).toBe('cut');
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(app.output()).toContain('Grace period of 0s over');
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 150_000);
});
