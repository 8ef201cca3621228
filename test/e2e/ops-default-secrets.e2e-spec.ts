import { createHmac } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_JWT_SECRET,
  EXAMPLE_MU_KEY,
} from '../../src/config/auth.config.js';
import {
  compileApp,
  CompiledApp,
  Running,
  spawnApp,
} from '../utils/compiled-app.js';

// #14 item 5: outside production the app ran on the public default JWT secret and example
// MU_KEY, so a forged admin token worked on any bare-metal start. The compiled app, started as
// `npm start` starts it on a bare machine (no JWT_SECRET, MU_KEY or DATABASE_URL).
const API = '/app/api/v0';

/** An HS256 token as the app issues them, signed with `secret`. */
function forge(secret: string, sub = '1'): string {
  const b64 = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + 3600, iss: 'panel', aud: 'panel-users' })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('ops: no start on a known default secret (e2e, compiled app)', () => {
  let build: CompiledApp;
  let dataDir: string;
  const running: Running[] = [];

  beforeAll(() => {
    build = compileApp();
    dataDir = mkdtempSync(join(tmpdir(), 'panel-secrets-data-'));
  }, 180_000);
  afterEach(async () => {
    for (const app of running.splice(0)) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const bare = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    SQLITE_PATH: join(dataDir, 'panel.sqlite'),
    ...extra,
  });
  const start = async (env: Record<string, string>) => {
    const app = await spawnApp(build, env);
    running.push(app);
    return app;
  };

  it('the embedded default generates its secrets on first start, keeps them (0600) and the defaults open nothing', async () => {
    const first = await start(bare());
    expect(first.child.exitCode).toBeNull();
    const path = join(dataDir, 'secrets.json');
    const kept = JSON.parse(readFileSync(path, 'utf8')) as Record<
      string,
      string
    >;
    expect(kept.JWT_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(kept.MU_KEY).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The printed MU_KEY is the generated one.
    expect(first.output()).toContain(`MU_KEY      : ${kept.MU_KEY}`);

    const mu = (key: string) =>
      fetch(`${first.base}/mod_mu/users?key=${key}&muKey=${key}&node_id=1`);
    expect((await mu(EXAMPLE_MU_KEY)).status).toBe(401);
    expect((await mu(kept.MU_KEY)).status).toBe(200);
    const admin = (token: string) =>
      fetch(`${first.base}${API}/admin/overview`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await admin(forge(DEV_JWT_SECRET))).status).toBe(401);
    // The printed demo admin signs in; its token (signed with the kept secret) opens the admin.
    const password = /password {4}: (\S+)/.exec(first.output())?.[1] ?? '';
    const login = await fetch(`${first.base}${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@panel.local', password }),
    });
    expect(login.status).toBe(200);
    const { data } = (await login.json()) as { data: { token: string } };
    expect((await admin(data.token)).status).toBe(200);
    // A token signed with the kept secret but without the password stamp is refused too.
    expect((await admin(forge(kept.JWT_SECRET))).status).toBe(401);

    first.child.kill('SIGTERM');
    await first.exited;
    running.splice(0);
    // A restart reads them back: the same key still works.
    const second = await start(bare());
    expect(second.child.exitCode).toBeNull();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(kept);
    const again = await fetch(
      `${second.base}/mod_mu/users?key=${kept.MU_KEY}&muKey=${kept.MU_KEY}&node_id=1`,
    );
    expect(again.status).toBe(200);
  }, 120_000);

  it.each([
    [
      'the default JWT_SECRET',
      { JWT_SECRET: DEV_JWT_SECRET, MU_KEY: 'a-node-key-of-our-own' },
      /JWT_SECRET is the public default/,
    ],
    [
      'the example MU_KEY',
      {
        JWT_SECRET: 'a-jwt-secret-of-our-own-0123456789',
        MU_KEY: EXAMPLE_MU_KEY,
      },
      /MU_KEY is the public example/,
    ],
    [
      'the example MU_KEY on HOST=0.0.0.0',
      {
        JWT_SECRET: 'a-jwt-secret-of-our-own-0123456789',
        MU_KEY: EXAMPLE_MU_KEY,
        HOST: '0.0.0.0',
      },
      /listening on 0\.0\.0\.0/,
    ],
  ])(
    '%s on a non-loopback listener: refuses before the app boots (no database touched), exit 1, a clear message',
    async (_, env, message) => {
      // A data folder of its own: a refused start must not even create the SQLite file.
      const fresh = mkdtempSync(join(tmpdir(), 'panel-refused-'));
      try {
        const sqlite = join(fresh, 'panel.sqlite');
        const app = await start(bare({ ...env, SQLITE_PATH: sqlite }));
        const { code } = await app.exited;
        expect(code).toBe(1);
        expect(app.output()).toMatch(/Refusing to start/);
        expect(app.output()).toMatch(message);
        expect(existsSync(sqlite)).toBe(false);
        // Config validation only: no Nest bootstrap, no migration (timing is no test: a loaded
        // machine takes seconds just to start node).
        expect(app.output()).not.toMatch(/Nest|migration/i);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('an invalid environment is refused the same way, before the app boots', async () => {
    const app = await start(bare({ PORT: 'eighty', JWT_SECRET: 'short' }));
    const { code } = await app.exited;
    expect(code).toBe(1);
    expect(app.output()).toMatch(/Invalid configuration \(\d+ problems\)/);
    expect(app.output()).toMatch(/- PORT:/);
  }, 60_000);

  it('the same default secrets on HOST=127.0.0.1 start (a local try-out)', async () => {
    const app = await start(
      bare({
        JWT_SECRET: DEV_JWT_SECRET,
        MU_KEY: EXAMPLE_MU_KEY,
        HOST: '127.0.0.1',
      }),
    );
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.base}/health`)).status).toBe(200);
  }, 60_000);
});
