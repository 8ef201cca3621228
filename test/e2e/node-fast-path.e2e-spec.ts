import { jest } from '@jest/globals';
import { SsNode } from '../../src/database/entities/index.js';
import { NodeCacheService } from '../../src/modules/node-api/node-cache.service.js';
import { V2BOARD_ETAG } from '../../src/modules/node-api/etag.js';
import { NodeStateService } from '../../src/modules/node/node-state.service.js';
import { NodeUserListService } from '../../src/modules/node-api/node-user-list.service.js';
import { UniProxyUserService } from '../../src/modules/node-api/uniproxy/uniproxy-user.service.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { requestCount } from '../utils/metrics-text.js';

/**
 * The cache fast path in front of the middleware chain (src/modules/node-api/node-fast-path.ts)
 * answers the list polls' 304s: same key check, same rate-limit budget, heartbeat first, same
 * byte-for-byte ETag comparison; everything else reaches the route as before.
 */
describe('node API: cached-list 304 fast path (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const heartbeatOf = async (id: number) =>
    (await t.dataSource.getRepository(SsNode).findOneByOrFail({ id }))
      .nodeHeartbeat;

  /** Caches a list for `mu:<id>` without any request, so no heartbeat was written yet. */
  const cacheList = async (id: number, body: string): Promise<string> => {
    const reply = await t.app
      .get(NodeCacheService)
      .resolve(`mu:${id}`, undefined, () => Promise.resolve({ body }));
    if ('refusal' in reply) throw new Error('refused');
    return reply.etag;
  };

  it('answers 304 from the fast path, records the heartbeat first and counts in the metrics', async () => {
    const node = await createNode(t.dataSource);
    await t.dataSource
      .getRepository(SsNode)
      .update({ id: node.id }, { nodeHeartbeat: 0 });
    const etag = await cacheList(node.id, '{"ret":1,"data":[]}');
    const lists = t.app.get(NodeUserListService);
    const fast = jest.spyOn(lists, 'sspanelNotModified');
    const full = jest.spyOn(lists, 'sspanelList');
    const before = requestCount((await t.http().get('/metrics')).text, {
      method: 'GET',
      route: '/mod_mu/users',
      status: '304',
    });
    try {
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .set('If-None-Match', etag)
        .expect(304);
      expect(res.text ?? '').toBe('');
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expect(res.headers['x-ratelimit-limit-node']).toBeDefined();
      expect(fast).toHaveBeenCalledTimes(1);
      expect(full).not.toHaveBeenCalled();
    } finally {
      fast.mockRestore();
      full.mockRestore();
    }
    expect(await heartbeatOf(node.id)).toBeGreaterThan(0);
    const after = requestCount((await t.http().get('/metrics')).text, {
      method: 'GET',
      route: '/mod_mu/users',
      status: '304',
    });
    expect(after).toBe(before + 1);
  });

  it.each([
    ['no key', {}],
    ['wrong key', { key: 'nope', muKey: 'nope' }],
    ['wrong key, right-length', { key: `${MU_KEY.slice(0, -1)}x` }],
  ])(
    '%s with the current tag → 401 {ret:0,msg:"Invalid request."} and no heartbeat',
    async (_, query) => {
      const node = await createNode(t.dataSource);
      await t.dataSource
        .getRepository(SsNode)
        .update({ id: node.id }, { nodeHeartbeat: 0 });
      const etag = await cacheList(node.id, '{"ret":1,"data":[]}');
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query({ ...query, node_id: node.id })
        .set('If-None-Match', etag)
        .expect(401);
      expect(res.body).toEqual({ ret: 0, msg: 'Invalid request.' });
      expect(res.headers.etag).toBeUndefined();
      expect(await heartbeatOf(node.id)).toBe(0);
    },
  );

  it('a stale, weakened or empty tag gets the full list from the route', async () => {
    const node = await createNode(t.dataSource);
    const user = await createNodeUser(t.dataSource);
    const first = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(node.id))
      .expect(200);
    const etag = first.headers.etag as string;
    expect(first.body.data.map((u: { id: number }) => u.id)).toContain(user.id);
    const lists = t.app.get(NodeUserListService);
    const full = jest.spyOn(lists, 'sspanelList');
    try {
      for (const stale of [
        'W/"stale"',
        etag.slice(2), // the strong form of the weak tag: not byte for byte
        `${etag}, W/"other"`,
        ' ',
      ]) {
        const res = await t
          .http()
          .get('/mod_mu/users')
          .query(muQuery(node.id))
          .set('If-None-Match', stale)
          .expect(200);
        expect(res.headers.etag).toBe(etag);
        expect(res.body).toEqual(first.body);
      }
      expect(full).toHaveBeenCalledTimes(4);
    } finally {
      full.mockRestore();
    }
  });

  it('leaves queries the DTO would reject, and other paths, to the route', async () => {
    const node = await createNode(t.dataSource);
    const etag = await cacheList(node.id, '{"ret":1,"data":[]}');
    const get = (query: Record<string, string | number>) =>
      t
        .http()
        .get('/mod_mu/users')
        .query({ key: MU_KEY, ...query })
        .set('If-None-Match', etag);
    await get({ node_id: node.id, extra: 1 }).expect(400);
    await get({ node_id: 0 }).expect(400);
    await get({}).expect(400);
    // Accepted by the DTO in another form: the route answers the same 304.
    await get({ node_id: `0${node.id}` }).expect(304);
    await t
      .http()
      .get('/mod_mu/users/')
      .query(muQuery(node.id))
      .set('If-None-Match', etag)
      .expect(304);
  });

  it('serves the seed list 304 the same way (Key header)', async () => {
    const node = await createNode(t.dataSource);
    await createNodeUser(t.dataSource);
    const first = await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set('Key', MU_KEY)
      .expect(200);
    const etag = first.headers.etag as string;
    const lists = t.app.get(NodeUserListService);
    const fast = jest.spyOn(lists, 'seedNotModified');
    try {
      await t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: node.id })
        .set('Key', MU_KEY)
        .set('If-None-Match', etag)
        .expect(304);
      await t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: node.id })
        .set('Key', 'wrong')
        .set('If-None-Match', etag)
        .expect(401);
      expect(fast).toHaveBeenCalledTimes(1);
    } finally {
      fast.mockRestore();
    }
  });

  describe('UniProxy user', () => {
    const USER = '/api/v1/server/UniProxy/user';
    const query = (nodeId: number, nodeType = 'v2ray') => ({
      token: MU_KEY,
      node_id: nodeId,
      node_type: nodeType,
    });
    /** A VMess node (createNode's default) with a user and its first, full list. */
    const polled = async () => {
      const node = await createNode(t.dataSource);
      await createNodeUser(t.dataSource);
      const first = await t.http().get(USER).query(query(node.id)).expect(200);
      return { node, etag: first.headers.etag as string, first };
    };

    it("answers the JSON list's 304 from the fast path (heartbeat, metrics, V2Board's substring match)", async () => {
      const node = await createNode(t.dataSource);
      await t.dataSource
        .getRepository(SsNode)
        .update({ id: node.id }, { nodeHeartbeat: 0 });
      // Cached without a request, so no heartbeat was written yet.
      const reply = await t.app
        .get(NodeCacheService)
        .resolve(
          `uniproxy:${node.id}`,
          undefined,
          () => Promise.resolve({ body: '{"users":[]}' }),
          V2BOARD_ETAG,
        );
      if ('refusal' in reply) throw new Error('refused');
      const etag = reply.etag;
      const users = t.app.get(UniProxyUserService);
      const fast = jest.spyOn(users, 'notModified');
      const full = jest.spyOn(users, 'users');
      const noted = jest.spyOn(t.app.get(NodeStateService), 'noteDialect');
      const labels = { method: 'GET', route: USER, status: '304' };
      const before = requestCount(
        (await t.http().get('/metrics')).text,
        labels,
      );
      try {
        for (const inm of [etag, `W/${etag}`, etag.slice(1, -1)]) {
          const res = await t
            .http()
            .get(USER)
            .query(query(node.id))
            .set('If-None-Match', inm)
            .expect(304);
          expect(res.text ?? '').toBe('');
          expect(res.headers.etag).toBe(etag);
          expect(res.headers['x-ratelimit-limit-node']).toBeDefined();
        }
        expect(fast).toHaveBeenCalledTimes(3);
        expect(full).not.toHaveBeenCalled();
        // As the route's interceptor does: the admin views show the dialect the node speaks.
        expect(noted).toHaveBeenCalledWith(node.id, 'uniproxy');
      } finally {
        fast.mockRestore();
        full.mockRestore();
        noted.mockRestore();
      }
      expect(await heartbeatOf(node.id)).toBeGreaterThan(0);
      const after = requestCount((await t.http().get('/metrics')).text, labels);
      expect(after).toBe(before + 3);
    });

    it('leaves a wrong token, a type mismatch, an unknown node, msgpack, a stale tag and odd queries to the route', async () => {
      const { node, etag, first } = await polled();
      const users = t.app.get(UniProxyUserService);
      const full = jest.spyOn(users, 'users');
      const poll = (q: Record<string, string | number>) =>
        t.http().get(USER).query(q).set('If-None-Match', etag);
      try {
        const wrong = await poll({ ...query(node.id), token: 'nope' }).expect(
          401,
        );
        expect(wrong.body).toEqual({ message: expect.any(String) });
        const mismatch = await poll(query(node.id, 'trojan')).expect(400);
        expect(mismatch.body.message).toContain('not trojan');
        await poll(query(node.id + 100_000)).expect(404);
        const stale = await t
          .http()
          .get(USER)
          .query(query(node.id))
          .set('If-None-Match', '"stale"')
          .expect(200);
        expect(stale.body).toEqual(first.body);
        // The route ignores parameters it does not know, so it still answers 304 itself.
        await poll({ ...query(node.id), extra: 1 }).expect(304);
        const packed = await t
          .http()
          .get(USER)
          .query(query(node.id))
          .set('X-Response-Format', 'msgpack')
          .set('If-None-Match', etag)
          .expect(200);
        expect(packed.headers['content-type']).toContain('msgpack');
        // The route's handler ran for each but the wrong token (its guard answered).
        expect(full).toHaveBeenCalledTimes(5);
      } finally {
        full.mockRestore();
      }
    });
  });

  it('counts 304s against the node rate-limit budget; the route answers the 429', async () => {
    const limited = await createTestApp({ env: { THROTTLE_NODE_LIMIT: '3' } });
    try {
      const node = await createNode(limited.dataSource);
      const first = await limited
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .expect(200);
      const etag = first.headers.etag as string;
      // The node budget counts in this process (per replica, even with Redis): exact.
      let left = Number(first.headers['x-ratelimit-remaining-node']);
      expect(left).toBe(2);
      const poll = () =>
        limited
          .http()
          .get('/mod_mu/users')
          .query(muQuery(node.id))
          .set('If-None-Match', etag);
      while (left > 0) {
        const res = await poll().expect(304);
        expect(Number(res.headers['x-ratelimit-remaining-node'])).toBe(
          left - 1,
        );
        left -= 1;
      }
      const fourth = await poll().expect(429);
      expect(fourth.body).toEqual({ ret: 0, msg: 'Too many requests' });
      expect(fourth.headers['x-ratelimit-remaining-node']).toBeUndefined();
    } finally {
      await limited.close();
    }
  });
});
