import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { LOG_DESTINATION } from '../../src/modules/logging/logging.module.js';
import { signUp } from '../factories/user.factory.js';
import { UserService } from '../../src/modules/user/user.service.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

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
  const capture = new LogCapture();
  const SECRET = 'S3cr3tNodeKey-do-not-log';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { LOG_LEVEL: 'debug', MU_KEY: SECRET },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const entries = () =>
    capture.lines.map((l) => JSON.parse(l) as Record<string, any>);

  it('logs JSON lines with request ids and never prints the node key, tokens or passwords', async () => {
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

    // Completion lines (with `res`); app logs made during a request carry `req` too.
    const requests = entries().filter((e) => e.req?.url && e.res);
    expect(requests.length).toBeGreaterThanOrEqual(8);
    for (const e of requests) expect(e.req.id).toEqual(expect.any(String));
    // One "request completed" line per request.
    const ids = requests.map((e) => e.req.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(requests.find((e) => e.req.id === 'trace-0123456789')?.req.url).toBe(
      `${API}/user/info`,
    );
    expect(requests.some((e) => e.req.url === '/mod_mu/func/ping')).toBe(true);

    expect(capture.text).not.toContain(SECRET);
    expect(capture.text).not.toContain(user.token);
    expect(capture.text).not.toContain(password);
  });

  it('masks secrets that application code logs during a request, in objects and in free text', async () => {
    const user = await signUp(t);
    const token = 'eyJhbGciOi.secret-bearer.token';
    const service = t.app.get(UserService);
    const real = service.getInfo.bind(service);
    jest.spyOn(service, 'getInfo').mockImplementation(async (id: number) => {
      const logger = new Logger('RedactionProbe');
      logger.warn(
        {
          body: { password: SECRET, key: SECRET, sign: SECRET, note: 'kept' },
          headers: { authorization: `Bearer ${token}` },
        },
        'probe-object',
      );
      logger.warn(
        `probe-text GET /x?key=${SECRET}&sign=${SECRET}&token=${SECRET} Authorization: Bearer ${token}`,
      );
      return real(id);
    });
    await t
      .http()
      .get(`${API}/user/info`)
      .set(user.auth)
      .set('X-Request-Id', 'redaction-probe-01')
      .expect(200);

    const probe = entries().filter(
      (e) => e.context === 'RedactionProbe' || /probe-/.test(String(e.msg)),
    );
    expect(probe).toHaveLength(2);
    // Both lines were written inside the request: they carry its id.
    for (const e of probe) expect(e.req?.id).toBe('redaction-probe-01');
    const object = probe.find((e) => e.msg === 'probe-object')!;
    expect(object.body).toEqual({
      password: '[REDACTED]',
      key: '[REDACTED]',
      sign: '[REDACTED]',
      note: 'kept',
    });
    expect(object.headers).toEqual({ authorization: '[REDACTED]' });
    const text = probe.find((e) => String(e.msg).startsWith('probe-text'))!;
    expect(text.msg).toBe(
      'probe-text GET /x?key=[REDACTED]&sign=[REDACTED]&token=[REDACTED] Authorization: Bearer [REDACTED]',
    );
    expect(capture.text).not.toContain(SECRET);
    expect(capture.text).not.toContain(token);
  });

  it('a gateway callback (answered in front of the router) logs with its request id, the path only, at its level', async () => {
    const sign = 'SignatureThatMustNotBeLogged';
    await t
      .http()
      .get(`${API}/payment/notify/nope?out_trade_no=x&sign=${sign}`)
      .set('X-Request-Id', 'notify-trace-0001')
      .expect('X-Request-Id', 'notify-trace-0001')
      .expect(400);
    const lines = entries().filter((e) => e.req?.id === 'notify-trace-0001');
    // The callback service's warning, bound to the request as pino-http binds it.
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringMatching(/Payment notify rejected/),
      }),
    );
    // The completion line: the path without the query, warn for a 400.
    const completed = lines.filter((e) => e.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        level: 40,
        req: expect.objectContaining({
          url: `${API}/payment/notify/nope`,
        }),
        res: { statusCode: 400 },
      }),
    ]);
    expect(capture.text).not.toContain(sign);
  });
});
