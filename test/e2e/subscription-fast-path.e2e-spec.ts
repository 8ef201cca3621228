import { jest } from '@jest/globals';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'supertest';
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

const LIMIT = 20;

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

/** One sample of the Prometheus text (0 when absent). */
function sample(text: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith('panel_http_request_duration_seconds_count{'))
      continue;
    if (wanted.every((l) => line.includes(l)))
      return Number(line.split(' ').pop());
  }
  return 0;
}

/**
 * The subscription fast path (src/modules/subscription/subscription-fast-path.ts) answers
 * plain feed fetches in front of the router with the route's own service, budget and error
 * mapping: the same bytes and headers as the route, one shared budget, the same 404s, the same
 * metrics label; everything the route's DTO or guard treats differently reaches the route.
 * "Through the route" is proven by ThrottlerGuard running (the fast path never calls it).
 */
describe('subscriptions: the fast path in front of the router (e2e)', () => {
  let t: TestApp;
  let guard: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    t = await createTestApp({
      env: { THROTTLE_SUB_LIMIT: String(LIMIT) },
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

  /** GET `path`, saying whether the route (its ThrottlerGuard) answered it. */
  async function get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ res: Response; viaRoute: boolean }> {
    guard.mockClear();
    const res = await t.http().get(path).set(headers);
    return { res, viaRoute: guard.mock.calls.length > 0 };
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
      expect(stableHeaders(fast.res)).toEqual(stableHeaders(routed.res));
      expect(fast.res.headers['x-request-id']).toEqual(expect.any(String));
      expect(fast.res.headers['x-ratelimit-limit-subscription']).toBe(
        String(LIMIT),
      );
      // helmet's headers, as on every browser-facing route
      expect(fast.res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

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
      expect(stableHeaders(fast.res)).toEqual(stableHeaders(routed.res));
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
      expect(fast.res.headers['content-type']).toBe(
        routed.res.headers['content-type'],
      );
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
      [`/link/${s.token}`, {}, 200],
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
    guard.mockClear();
    const head = await t.http().head(`${s.path}/clash`);
    expect(head.status).toBe(200);
    expect(guard).toHaveBeenCalled();
  });

  it('counts in the HTTP metrics under the route pattern', async () => {
    const s = await subscriberWithNodes();
    const labels = {
      method: 'GET',
      route: '/sub/:token/:format',
      status: '200',
    };
    const before = sample((await t.http().get('/metrics')).text, labels);
    const fast = await get(`${s.path}/sip008`);
    expect(fast.viaRoute).toBe(false);
    const after = sample((await t.http().get('/metrics')).text, labels);
    expect(after - before).toBe(1);
  });
});
