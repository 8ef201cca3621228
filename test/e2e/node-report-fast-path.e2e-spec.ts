import { jest } from '@jest/globals';
import type { Response } from 'supertest';
import { User } from '../../src/database/entities/index.js';
import { NodeTrafficService } from '../../src/modules/node-api/node-traffic.service.js';
import { SspanelTrafficPipe } from '../../src/modules/node-api/dto/traffic-report.pipe.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';
import { requestCount } from '../utils/metrics-text.js';

/** Status, body and headers, without the values that differ per request. */
function shape(res: Response): unknown {
  const headers = { ...res.headers } as Record<string, string>;
  for (const name of ['date', 'x-request-id', 'x-ratelimit-remaining-node'])
    if (name in headers) headers[name] = '<per request>';
  return { status: res.status, text: res.text, headers };
}

/**
 * The report fast path (src/modules/node-api/node-report-fast-path.ts) answers XrayR's
 * well-formed traffic reports in front of the router with the route's own pieces; everything
 * else reaches the route. A request with an Origin header always goes to the route (CORS stays
 * there), which is how these tests ask the route for its own answer to compare with.
 */
describe('node API: traffic report fast path (e2e)', () => {
  let t: TestApp;
  let route: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => {
    // The route's body pipe: it runs for every report that reaches the route's handler.
    route = jest.spyOn(SspanelTrafficPipe.prototype, 'transform');
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (
    query: Record<string, string | number>,
    body: unknown,
    viaRoute = false,
  ) => {
    const req = t.http().post('/mod_mu/users/traffic').query(query);
    if (viaRoute) void req.set('Origin', 'http://agent.example');
    return req.send(body as object);
  };
  const counters = async (id: number) => {
    const user = await t.dataSource.getRepository(User).findOneByOrFail({ id });
    return { u: Number(user.u), d: Number(user.d) };
  };

  it('applies a report with the node rate, answers as the route does and counts under the route', async () => {
    const node = await createNode(t.dataSource, { trafficRate: 2 });
    const user = await createNodeUser(t.dataSource);
    const metric = async () =>
      requestCount((await t.http().get('/metrics')).text, {
        method: 'POST',
        route: '/mod_mu/users/traffic',
        status: '200',
      });
    const before = await metric();
    const fast = await post(muQuery(node.id), {
      data: [{ user_id: user.id, u: 10, d: 20 }],
    }).expect(200);
    expect(route).not.toHaveBeenCalled();
    expect(await counters(user.id)).toEqual({ u: 20, d: 40 });
    expect(await metric()).toBe(before + 1);
    expect(fast.headers['x-request-id']).toEqual(expect.any(String));

    const viaRoute = await post(
      muQuery(node.id),
      { data: [{ user_id: user.id, u: 1, d: 2 }] },
      true,
    ).expect(200);
    expect(route).toHaveBeenCalledTimes(1);
    expect(await counters(user.id)).toEqual({ u: 22, d: 44 });
    expect(shape(fast)).toEqual(shape(viaRoute));
  });

  it('keeps the dedup window and skips unknown users', async () => {
    const node = await createNode(t.dataSource);
    const user = await createNodeUser(t.dataSource);
    const body = {
      data: [
        { user_id: user.id, u: 5, d: 7 },
        { user_id: 2_000_000_000, u: 1, d: 1 },
      ],
    };
    await post(muQuery(node.id), body).expect(200, { ret: 1, msg: 'ok' });
    await post(muQuery(node.id), body).expect(200, { ret: 1, msg: 'ok' });
    expect(route).not.toHaveBeenCalled();
    expect(await counters(user.id)).toEqual({ u: 5, d: 7 });
  });

  it('answers an unknown node and a failing ingest exactly as the route does', async () => {
    const missing = { data: [{ user_id: 1, u: 1, d: 1 }] };
    const fastMissing = await post(muQuery(1_999_999_999), missing);
    const routeMissing = await post(muQuery(1_999_999_999), missing, true);
    expect(fastMissing.body).toEqual({
      ret: 0,
      msg: 'Node 1999999999 not found',
    });
    expect(shape(fastMissing)).toEqual(shape(routeMissing));

    const node = await createNode(t.dataSource);
    jest.spyOn(NodeTrafficService.prototype, 'ingest').mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
      }),
    );
    const down = { data: [{ user_id: 1, u: 1, d: 1 }] };
    const fastDown = await post(muQuery(node.id), down);
    const routeDown = await post(muQuery(node.id), down, true);
    expect(fastDown.status).toBe(503);
    expect(fastDown.headers['retry-after']).toBeDefined();
    expect(shape(fastDown)).toEqual(shape(routeDown));
    expect(route).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['no key', { node_id: 1 }],
    ['a wrong key', { key: 'nope', muKey: 'nope', node_id: 1 }],
  ])('leaves %s to the route: 401, nothing written', async (_, query) => {
    const user = await createNodeUser(t.dataSource);
    const res = await post(query, {
      data: [{ user_id: user.id, u: 1, d: 1 }],
    }).expect(401);
    expect(res.body).toEqual({ ret: 0, msg: 'Invalid request.' });
    expect(await counters(user.id)).toEqual({ u: 0, d: 0 });
  });

  it('leaves odd queries and bodies to the route, whose pipes answer them', async () => {
    const node = await createNode(t.dataSource);
    const user = await createNodeUser(t.dataSource);
    const entry = { user_id: user.id, u: 1, d: 1 };
    await post({ ...muQuery(node.id), extra: 1 }, { data: [entry] }).expect(
      400,
    );
    await post({ key: MU_KEY, node_id: 0 }, { data: [entry] }).expect(400);
    await post(muQuery(node.id), { data: [entry], more: 1 }).expect(400);
    await post(muQuery(node.id), { data: [{ ...entry, u: -1 }] }).expect(400);
    expect(await counters(user.id)).toEqual({ u: 0, d: 0 });
    route.mockClear();
    // Accepted by the route's pipe in another form: applied there.
    await post(
      { key: MU_KEY, node_id: `0${node.id}` },
      { data: [entry] },
    ).expect(200, { ret: 1, msg: 'ok' });
    expect(route).toHaveBeenCalledTimes(1);
    expect(await counters(user.id)).toEqual({ u: 1, d: 1 });
  });
});
