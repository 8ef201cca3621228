import { Writable } from 'node:stream';
import { LOG_DESTINATION } from '../../src/modules/logging/logging.module.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp } from '../utils/test-app.js';

/** A pino destination that keeps every JSON line the app writes. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

// nestjs-pino builds ONE pino-http instance per process, configured by the first app that
// boots; this file (its own Jest module registry) boots only the capturing app.
describe('ops: structured logs (e2e)', () => {
  it('logs JSON lines with request ids and never prints the node key, tokens or passwords', async () => {
    const capture = new LogCapture();
    const SECRET = 'S3cr3tNodeKey-do-not-log';
    const t = await createTestApp({
      env: { LOG_LEVEL: 'debug', MU_KEY: SECRET },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
    try {
      await t.http().get(`/mod_mu/func/ping?key=${SECRET}`).expect(200);
      await t
        .http()
        .get(`/mod_mu/func/ping?muKey=${SECRET}&node_id=1`)
        .expect(200);
      await t.http().get(`/mod_mu/func/ping?key=${SECRET}x`).expect(401);
      await t.http().get('/mod_mu/func/ping').set('Key', SECRET).expect(200);
      const password = `${SECRET}-pw`;
      const user = await signUp(t, { password });
      await t
        .http()
        .get(`${API}/user/info?key=${SECRET}`)
        .set('Authorization', `Bearer ${user.token}`)
        .set('X-Request-Id', 'trace-0123456789')
        .expect(200);
      await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: user.email, password: `${password}-wrong` })
        .expect(401);

      const entries = capture.lines.map(
        (l) => JSON.parse(l) as Record<string, any>,
      );
      // Completion lines (with `res`); app logs made during a request carry `req` too.
      const requests = entries.filter((e) => e.req?.url && e.res);
      expect(requests.length).toBeGreaterThanOrEqual(8);
      for (const e of requests) expect(e.req.id).toEqual(expect.any(String));
      // One "request completed" line per request.
      const ids = requests.map((e) => e.req.id as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(
        requests.find((e) => e.req.id === 'trace-0123456789')?.req.url,
      ).toBe(`${API}/user/info`);
      expect(requests.some((e) => e.req.url === '/mod_mu/func/ping')).toBe(
        true,
      );

      expect(capture.text).not.toContain(SECRET);
      expect(capture.text).not.toContain(user.token);
      expect(capture.text).not.toContain(password);
    } finally {
      await t.close();
    }
  });
});
