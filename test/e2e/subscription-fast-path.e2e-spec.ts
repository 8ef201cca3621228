import { jest } from '@jest/globals';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Writable } from 'node:stream';
import type { Response } from 'supertest';
import { LOG_DESTINATION } from '../../src/modules/logging/logging.module.js';
import { FORMAT_NAMES } from '../../src/modules/subscription/formats/profile.js';
import { SubscriptionFetchService } from '../../src/modules/subscription/subscription-fetch.service.js';
import { createNode } from '../factories/node.factory.js';
import {
  freshGroup,
  refreshCatalog,
  subscribe,
  Subscribed,
} from '../factories/subscription.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { requestCount } from '../utils/metrics-text.js';

const LIMIT = 20;

/** The app's pino lines (nestjs-pino configures one pino-http per process: this file's app). */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

/** Headers that differ per request by design (request id, the budget's countdown). */
const PER_REQUEST = new Set([
  'x-request-id',
  'x-ratelimit-remaining-subscription',
  'x-ratelimit-reset-subscription',
  'date',
  'etag',
]);

function stableHeaders(res: Response): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers as Record<string, string>).filter(
      ([name]) => !PER_REQUEST.has(name),
    ),
  );
}

/**
 * The subscription fast path (src/modules/subscription/subscription-fast-path.ts) answers
 * plain feed fetches on the HTTP server's request listener, in front of Express, with the
 * route's own service, budget and error mapping: the same bytes and headers as the route (GET
 * and HEAD, `/sub` and `/link`), one shared budget, the same 404s, the same metrics label, the
 * same access line at the same level, the same client IP; everything the route's DTO or guard
 * treats differently reaches the route. "Through the route" is proven by ThrottlerGuard
 * running (the fast path never calls it).
 */
describe('subscriptions: the fast path in front of Express (e2e)', () => {
  let t: TestApp;
  let guard: ReturnType<typeof jest.spyOn>;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await createTestApp({
      // As in production: no access line for a plain 200, warn for a 4xx.
      env: { THROTTLE_SUB_LIMIT: String(LIMIT), LOG_LEVEL: 'warn' },
      override: (b) => b.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    guard = jest.spyOn(ThrottlerGuard.prototype, 'canActivate');
  });
  afterAll(async () => {
    guard?.mockRestore();
    await t?.close();
  });

  async function subscriberWithNodes(): Promise<Subscribed> {
    const group = freshGroup();
    await createNode(t.dataSource, { nodeGroup: group, name: 'fast-a' });
    await createNode(t.dataSource, { nodeGroup: group, name: 'fast-b' });
    await refreshCatalog(t);
    return subscribe(t, { nodeGroup: group });
  }

  /** GET (or HEAD) `path`, saying whether the route (its ThrottlerGuard) answered it. */
  async function get(
    path: string,
    headers: Record<string, string> = {},
    method: 'get' | 'head' = 'get',
  ): Promise<{ res: Response; viaRoute: boolean }> {
    guard.mockClear();
    const res = await t.http()[method](path).set(headers);
    return { res, viaRoute: guard.mock.calls.length > 0 };
  }

  /** The same headers, in the same order, but for the per-request ones. */
  function expectSameHeaders(fast: Response, routed: Response): void {
    const names = (r: Response) =>
      Object.keys(r.headers as object).filter((n) => !PER_REQUEST.has(n));
    expect(names(fast)).toEqual(names(routed));
    expect(stableHeaders(fast)).toEqual(stableHeaders(routed));
  }

  it.each(FORMAT_NAMES)(
    '/sub/:token/%s: the fast path sends what the route sends',
    async (format) => {
      const s = await subscriberWithNodes();
      const fast = await get(`${s.path}/${format}`);
      // A trailing slash is the same route to Express, but not a path the fast path takes.
      const routed = await get(`${s.path}/${format}/`);
      expect(fast.viaRoute).toBe(false);
      expect(routed.viaRoute).toBe(true);
      expect(fast.res.status).toBe(200);
      expect(routed.res.status).toBe(200);
      expect(fast.res.text).toBe(routed.res.text);
      expect(fast.res.text.length).toBeGreaterThan(0);
      expectSameHeaders(fast.res, routed.res);
      expect(fast.res.headers['x-request-id']).toEqual(expect.any(String));
      expect(fast.res.headers['x-ratelimit-limit-subscription']).toBe(
        String(LIMIT),
      );
      // helmet's headers, as on every browser-facing route
      expect(fast.res.headers['x-content-type-options']).toBe('nosniff');
      expect(fast.res.headers['content-security-policy']).toEqual(
        expect.any(String),
      );
      expect(fast.res.headers['x-powered-by']).toBeUndefined();
    },
  );

  it.each(FORMAT_NAMES)(
    "HEAD /sub/:token/%s: the fast path sends the route's headers, no body",
    async (format) => {
      const s = await subscriberWithNodes();
      const fast = await get(`${s.path}/${format}`, {}, 'head');
      const routed = await get(`${s.path}/${format}/`, {}, 'head');
      expect(fast.viaRoute).toBe(false);
      expect(routed.viaRoute).toBe(true);
      expect(fast.res.status).toBe(200);
      expect(routed.res.status).toBe(200);
      expect(fast.res.text ?? '').toBe('');
      expectSameHeaders(fast.res, routed.res);
      const got = await get(`${s.path}/${format}`);
      expect(fast.res.headers['content-length']).toBe(
        got.res.headers['content-length'],
      );
    },
  );

  it('/link/:token and ?mu=: the fast path sends what the route sends', async () => {
    const s = await subscriberWithNodes();
    for (const query of ['', '?mu=2', '?mu=ss', '?mu=vmess']) {
      const fast = await get(`/link/${s.token}${query}`);
      const routed = await get(`/link/${s.token}/${query}`);
      expect({ query, viaRoute: fast.viaRoute }).toEqual({
        query,
        viaRoute: false,
      });
      expect(routed.viaRoute).toBe(true);
      expect(fast.res.status).toBe(200);
      expect(routed.res.status).toBe(200);
      expect(fast.res.text).toBe(routed.res.text);
      expectSameHeaders(fast.res, routed.res);
    }
  });

  it('/sub/:token picks the format from the User-Agent or ?flag= as the route does', async () => {
    const s = await subscriberWithNodes();
    for (const [query, ua] of [
      ['', 'ClashMetaForAndroid/2.10'],
      ['', 'sing-box 1.11'],
      ['', 'v2rayN/6.0'],
      ['?flag=clash', 'curl/8'],
      ['?flag=singbox', ''],
    ]) {
      const fast = await get(`${s.path}${query}`, { 'User-Agent': ua });
      const routed = await get(`${s.path}/${query}`, { 'User-Agent': ua });
      expect({ query, ua, viaRoute: fast.viaRoute }).toEqual({
        query,
        ua,
        viaRoute: false,
      });
      expect(routed.viaRoute).toBe(true);
      expect(fast.res.status).toBe(200);
      expect(fast.res.text).toBe(routed.res.text);
      expectSameHeaders(fast.res, routed.res);
    }
  });

  it('shares one budget per token with the route: the fetch past THROTTLE_SUB_LIMIT is a 429', async () => {
    const s = await subscriberWithNodes();
    const remaining: string[] = [];
    for (let i = 0; i < LIMIT; i += 1) {
      // Alternate the fast path and the route: both count under the one key.
      const { res, viaRoute } = await get(
        i % 2 === 0 ? `${s.path}/clash` : `${s.path}/v2ray/`,
      );
      expect(res.status).toBe(200);
      expect(viaRoute).toBe(i % 2 === 1);
      remaining.push(res.headers['x-ratelimit-remaining-subscription']);
    }
    expect(remaining).toEqual(
      Array.from({ length: LIMIT }, (_, i) => String(LIMIT - i - 1)),
    );
    const blocked = await get(`${s.path}/clash`);
    expect(blocked.res.status).toBe(429);
    // The blocked budget sent the request on to the route, whose guard answered.
    expect(blocked.viaRoute).toBe(true);
    expect(blocked.res.headers['x-ratelimit-remaining-subscription']).toBe(
      undefined,
    );
  });

  it('an unknown or reset token is the same 404 as the route gives', async () => {
    const s = await subscriberWithNodes();
    const old = s.path;
    await t
      .http()
      .post(`${API}/user/subscription/reset`)
      .set(s.auth)
      .expect(200);
    for (const path of [`${old}/clash`, '/sub/NoSuchTokenAtAll123/clash']) {
      const fast = await get(path);
      const routed = await get(`${path}/`);
      expect(fast.viaRoute).toBe(false);
      expect(fast.res.status).toBe(404);
      expect(routed.res.status).toBe(404);
      // The message names the path, one `/` shorter than the routed one's.
      expect(Number(fast.res.headers['content-length'])).toBe(
        Number(routed.res.headers['content-length']) - 1,
      );
      delete routed.res.headers['content-length'];
      delete fast.res.headers['content-length'];
      expectSameHeaders(fast.res, routed.res);
      expect(fast.res.body).toEqual({
        ...routed.res.body,
        msg: `Cannot GET ${path}`,
      });
    }
  });

  it('an error in the fetch is answered through the global mapping, as the route answers it', async () => {
    const s = await subscriberWithNodes();
    const feed = t.app.get(SubscriptionFetchService);
    const failing = jest
      .spyOn(feed, 'fetch')
      .mockRejectedValue(new Error('boom'));
    try {
      const fast = await get(`${s.path}/clash`);
      const routed = await get(`${s.path}/clash/`);
      expect(fast.viaRoute).toBe(false);
      expect(fast.res.status).toBe(routed.res.status);
      expect(fast.res.status).toBe(500);
      expect(fast.res.body).toEqual(routed.res.body);
    } finally {
      failing.mockRestore();
    }
  });

  it('leaves to the route what its DTO or guard treats differently', async () => {
    const s = await subscriberWithNodes();
    const cases: [string, Record<string, string>, number][] = [
      [`${s.path}/clash?types=vless`, {}, 200],
      [`${s.path}/clash?flag=x`, {}, 200],
      [`${s.path}?types=nope`, {}, 400],
      [`${s.path}?flag=${'x'.repeat(65)}`, {}, 400],
      [`${s.path}/nosuchformat`, {}, 404],
      [`${s.path}/clash`, { Origin: 'https://example.com' }, 200],
      [`/link/${s.token}?types=vless`, {}, 200],
      [`/link/${s.token}?mu=nope`, {}, 400],
      [`/link/${s.token}?mu=ss&mu=2`, {}, 400],
      [`/link/${s.token}?flag=clash`, {}, 400],
      [`/SUB/${s.token}/clash`, {}, 200],
    ];
    for (const [path, headers, status] of cases) {
      const { res, viaRoute } = await get(path, headers);
      expect({ path, status: res.status, viaRoute }).toEqual({
        path,
        status,
        viaRoute: true,
      });
    }
    for (const method of ['post', 'put', 'delete'] as const) {
      guard.mockClear();
      const res = await t.http()[method](`${s.path}/clash`);
      // No such route: the JSON 404 every unknown path gets, from Express.
      expect({ method, status: res.status }).toEqual({ method, status: 404 });
      expect(res.body).toMatchObject({ ret: 0, code: 'NOT_FOUND' });
    }
  });

  it('counts in the HTTP metrics under the route pattern', async () => {
    const s = await subscriberWithNodes();
    const labels = {
      method: 'GET',
      route: '/sub/:token/:format',
      status: '200',
    };
    const before = requestCount((await t.http().get('/metrics')).text, labels);
    const fast = await get(`${s.path}/sip008`);
    expect(fast.viaRoute).toBe(false);
    const after = requestCount((await t.http().get('/metrics')).text, labels);
    expect(after - before).toBe(1);
    for (const [method, path, route] of [
      ['HEAD', `${s.path}/clash`, '/sub/:token/:format'],
      ['GET', `/link/${s.token}?mu=ss`, '/link/:token'],
      ['GET', `${s.path}?flag=clash`, '/sub/:token'],
    ] as const) {
      const counted = { method, route, status: '200' };
      const was = requestCount((await t.http().get('/metrics')).text, counted);
      const res = await get(path, {}, method === 'HEAD' ? 'head' : 'get');
      expect(res.viaRoute).toBe(false);
      const now = requestCount((await t.http().get('/metrics')).text, counted);
      expect({ method, path, counted: now - was }).toEqual({
        method,
        path,
        counted: 1,
      });
    }
  });

  it('writes the access line pino-http writes, at its level (LOG_LEVEL=warn: 4xx only)', async () => {
    const s = await subscriberWithNodes();
    const linesOf = (id: string) =>
      logs.lines.filter(
        (l) => (l.req as { id?: string } | undefined)?.id === id,
      );
    const fetchWithId = async (path: string, id: string) =>
      (await get(path, { 'X-Request-Id': id })).viaRoute;
    const stamp = Date.now().toString(36);
    expect(await fetchWithId(`${s.path}/clash`, `fast-ok-${stamp}`)).toBe(
      false,
    );
    expect(await fetchWithId(`${s.path}/clash/`, `route-ok-${stamp}`)).toBe(
      true,
    );
    const gone = '/sub/NoSuchTokenForLogs99/clash';
    expect(await fetchWithId(gone, `fast-404-${stamp}`)).toBe(false);
    expect(await fetchWithId(`${gone}/`, `route-404-${stamp}`)).toBe(true);
    // A plain 200 has no line at warn, on either path.
    expect(linesOf(`fast-ok-${stamp}`)).toEqual([]);
    expect(linesOf(`route-ok-${stamp}`)).toEqual([]);
    const access = (id: string) =>
      linesOf(id)
        .filter((l) => l.res !== undefined)
        .map((l) => ({
          level: l.level,
          msg: l.msg,
          status: (l.res as { statusCode: number }).statusCode,
          method: (l.req as { method: string }).method,
        }));
    expect(access(`fast-404-${stamp}`)).toEqual([
      { level: 40, msg: 'request completed', status: 404, method: 'GET' },
    ]);
    expect(access(`fast-404-${stamp}`)).toEqual(access(`route-404-${stamp}`));
  });

  it('records the TCP peer as the client, not a forged X-Forwarded-For (TRUST_PROXY off)', async () => {
    const s = await subscriberWithNodes();
    const feed = t.app.get(SubscriptionFetchService);
    const spy = jest.spyOn(feed, 'fetch');
    try {
      const forged = { 'X-Forwarded-For': '203.0.113.9' };
      expect((await get(`${s.path}/clash`, forged)).viaRoute).toBe(false);
      expect((await get(`${s.path}/clash/`, forged)).viaRoute).toBe(true);
      const [fast, routed] = spy.mock.calls.map(([r]) => r.ip);
      expect(fast).toBe(routed);
      expect(fast).not.toBe('203.0.113.9');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('subscriptions: the fast path under TRUST_PROXY (e2e)', () => {
  let t: TestApp;
  let guard: ReturnType<typeof jest.spyOn>;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: '1' } });
    guard = jest.spyOn(ThrottlerGuard.prototype, 'canActivate');
  });
  afterAll(async () => {
    guard?.mockRestore();
    await t?.close();
  });

  it("takes the client IP as Express's trust rule does: the proxy's X-Forwarded-For", async () => {
    const group = freshGroup();
    await createNode(t.dataSource, { nodeGroup: group, name: 'trust-a' });
    await refreshCatalog(t);
    const s = await subscribe(t, { nodeGroup: group });
    const feed = t.app.get(SubscriptionFetchService);
    const spy = jest.spyOn(feed, 'fetch');
    try {
      const viaRoute: boolean[] = [];
      for (const path of [`${s.path}/clash`, `${s.path}/clash/`]) {
        guard.mockClear();
        await t
          .http()
          .get(path)
          .set('X-Forwarded-For', '198.51.100.23, 203.0.113.4')
          .expect(200);
        viaRoute.push(guard.mock.calls.length > 0);
      }
      expect(viaRoute).toEqual([false, true]);
      // One trusted hop: the address that hop saw.
      expect(spy.mock.calls.map(([r]) => r.ip)).toEqual([
        '203.0.113.4',
        '203.0.113.4',
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
