import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

// SIGTERM against the real compiled app in its own process, as Kubernetes sends it. The slow
// request is a genuine one: registration hashes the password with bcrypt, and BCRYPT_ROUNDS=15
// (the schema's maximum) makes that take seconds, so it is in flight when the signal lands.
const ROOT = new URL('../../', import.meta.url).pathname;
const API = '/app/api/v0';
let buildDir: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  base: string;
  sqlite: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startApp(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const sqlite = join(buildDir, `panel-${port}.sqlite`);
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: 'info',
    SQLITE_PATH: sqlite,
    SCHEDULER_ENABLED: 'false',
    JWT_SECRET: 'shutdown-test-secret-0123456789abcdef',
    MU_KEY: 'shutdown-test-mu-key',
    ...env,
  };
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: buildDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  // A fresh SQLite file is migrated at boot: allow a loaded CI machine a minute.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${base}/health`, {
      headers: { connection: 'close' },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base, sqlite, output: () => out, exited };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the app did not start:\n${out}`);
}

const register = (base: string, email: string) =>
  fetch(`${base}${API}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'long-enough-pw' }),
  });

describe('ops: graceful shutdown of the compiled app (e2e, child process)', () => {
  beforeAll(() => {
    buildDir = mkdtempSync(join(tmpdir(), 'panel-shutdown-'));
    // A private build (not ./dist, which other scripts rebuild) that resolves the project's packages.
    const tsc = (args: string[]) => {
      try {
        execFileSync(process.execPath, args, { stdio: 'pipe' });
      } catch (err) {
        const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
        throw new Error(`tsc failed:\n${out}`);
      }
    };
    tsc([
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(buildDir, 'dist'),
      '--incremental',
      'false',
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ]);
    writeFileSync(
      join(buildDir, 'package.json'),
      JSON.stringify({ type: 'module' }),
    );
    symlinkSync(
      join(ROOT, 'node_modules'),
      join(buildDir, 'node_modules'),
      'dir',
    );
  }, 180_000);
  afterAll(() => {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
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
