import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { SsNode } from '../../src/database/entities/index.js';
import { NodeCacheService } from '../../src/modules/node-api/node-cache.service.js';
import { NodeStateService } from '../../src/modules/node/node-state.service.js';
import { RedisService } from '../../src/modules/redis/redis.service.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
} from '../factories/node.factory.js';
import { signUp, updateUser } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itWithRedis, itWithoutRedis } from '../utils/modes.js';

const KEY = { Key: MU_KEY };

describe('node API: seed /app/api/v0/node routes (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const nodeRow = (id: number) =>
    t.dataSource.getRepository(SsNode).findOneByOrFail({ id });

  it('GET /node/users: the envelope with every sent field, an ETag and a 304', async () => {
    const node = await createNode(t.dataSource, { nodeGroup: 1 });
    const inGroup = await createNodeUser(t.dataSource, {
      nodeGroup: 1,
      u: 5,
      d: 7,
    });
    const otherGroup = await createNodeUser(t.dataSource, { nodeGroup: 2 });
    await createNodeUser(t.dataSource, { enable: 0 });

    const res = await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set(KEY)
      .expect(200);
    expect(res.body.ret).toBe(1);
    expect(res.body.msg).toBe('ok');
    expect(res.body.data.count).toBe(1);
    expect(res.body.data.users).toEqual([
      {
        id: inGroup.id,
        email: inGroup.email,
        passwd: inGroup.passwd,
        port: inGroup.port,
        method: 'aes-256-gcm',
        protocol: 'origin',
        obfs: 'plain',
        t: 0,
        u: 5,
        d: 7,
        transfer_enable: 100 * 1024 ** 3,
        class: 0,
        node_group: 1,
        enable: 1,
        switch: 1,
        uuid: inGroup.uuid,
        node_speedlimit: 0,
        node_connector: 0,
      },
    ]);
    expect(res.body.data.users[0]).not.toHaveProperty('pass');
    const etag = res.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set({ ...KEY, 'If-None-Match': etag })
      .expect(304);
    expect((await nodeRow(node.id)).nodeHeartbeat).toBeGreaterThan(0);

    // Without node_id: every servable user, no group or class filter.
    const all = await t.http().get(`${API}/node/users`).set(KEY).expect(200);
    const ids = all.body.data.users.map((u: { id: number }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([inGroup.id, otherGroup.id]));
    expect(all.body.data.count).toBe(ids.length);
  });

  it('serves the cached list until invalidated (or NODE_USERS_CACHE_TTL_S passes)', async () => {
    const node = await createNode(t.dataSource, { nodeGroup: 7 });
    const a = await createNodeUser(t.dataSource, { nodeGroup: 7 });
    const first = await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set(KEY)
      .expect(200);
    await updateUser(t.dataSource, a.id, { enable: 0 });
    const cached = await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set(KEY)
      .expect(200);
    expect(cached.headers.etag).toBe(first.headers.etag);
    await t.app.get(NodeCacheService).invalidate();
    const fresh = await t
      .http()
      .get(`${API}/node/users`)
      .query({ node_id: node.id })
      .set(KEY)
      .expect(200);
    expect(fresh.body.data).toEqual({ users: [], count: 0 });
    expect(fresh.headers.etag).not.toBe(first.headers.etag);
  });

  it('refuses a disabled node (403), an over-bandwidth node (409) and an unknown one (404)', async () => {
    const disabled = await createNode(t.dataSource, { type: 0 });
    const full = await createNode(t.dataSource, {
      nodeBandwidthLimit: 10,
      nodeBandwidth: 11,
    });
    const cases = [
      [disabled.id, 403, 'NODE_DISABLED'],
      [full.id, 409, 'NODE_OVER_BANDWIDTH'],
      [424242, 404, 'NODE_NOT_FOUND'],
    ] as const;
    for (const [id, status, code] of cases) {
      const res = await t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: id })
        .set(KEY)
        .expect(status);
      expect(res.body).toEqual({ ret: 0, msg: expect.any(String), code });
      // A second (cached) refusal answers the same.
      await t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: id })
        .set(KEY)
        .expect(status);
    }
  });

  it('POST /node/online: echoes, writes node_online/heartbeat and the Redis snapshot (TTL 300 s)', async () => {
    const node = await createNode(t.dataSource);
    const res = await t
      .http()
      .post(`${API}/node/online`)
      .set(KEY)
      .send({ node_id: node.id, online: 45, load: '0.25' })
      .expect(200);
    expect(res.body).toEqual({
      ret: 1,
      msg: 'ok',
      data: { node_id: node.id, online: 45, load: '0.25' },
    });
    const row = await nodeRow(node.id);
    expect(row.nodeOnline).toBe(45);
    expect(row.nodeHeartbeat).toBeGreaterThan(0);
    const live = await t.app.get(NodeStateService).liveState(node.id);
    expect(live.online).toEqual({
      online: 45,
      load: '0.25',
      at: row.nodeHeartbeat,
    });
  });

  it('POST /node/heartbeat: heartbeat in the database, stats in Redis (TTL 180 s)', async () => {
    const node = await createNode(t.dataSource);
    const res = await t
      .http()
      .post(`${API}/node/heartbeat`)
      .set(KEY)
      .send({
        node_id: node.id,
        cpu_load: 0.25,
        memory_usage: 45.2,
        network_speed: 100.5,
      })
      .expect(200);
    expect(res.body.data).toEqual({
      node_id: node.id,
      cpu_load: 0.25,
      memory_usage: 45.2,
      network_speed: 100.5,
      at: expect.any(Number),
    });
    expect((await nodeRow(node.id)).nodeHeartbeat).toBe(res.body.data.at);
    const live = await t.app.get(NodeStateService).liveState(node.id);
    expect(live.stats).toMatchObject({
      cpu_load: 0.25,
      memory_usage: 45.2,
      network_speed: 100.5,
    });
  });

  it('GET /node/info/:id: the node config and its online status', async () => {
    const node = await createNode(t.dataSource, {
      name: 'HK 1',
      nodeSpeedlimit: 50,
      nodeClass: 1,
      trafficRate: 1.5,
    });
    const off = await t
      .http()
      .get(`${API}/node/info/${node.id}`)
      .set(KEY)
      .expect(200);
    expect(off.headers.etag).toBeUndefined();
    expect(off.body.data).toEqual({
      id: node.id,
      name: 'HK 1',
      server: 'node.example.com',
      method: 'aes-256-gcm',
      node_speedlimit: 50,
      node_class: 1,
      node_group: 0,
      traffic_rate: 1.5,
      sort: 11,
      custom_config: expect.objectContaining({ offset_port_node: '443' }),
      online: false,
      node_heartbeat: 0,
      node_online: 0,
    });
    await t
      .http()
      .post(`${API}/node/heartbeat`)
      .set(KEY)
      .send({
        node_id: node.id,
        cpu_load: 1,
        memory_usage: 1,
        network_speed: 1,
      })
      .expect(200);
    const on = await t
      .http()
      .get(`${API}/node/info/${node.id}`)
      .set(KEY)
      .expect(200);
    expect(on.body.data.online).toBe(true);
    await t.http().get(`${API}/node/info/777777`).set(KEY).expect(404);
  });

  it('needs the node key: no key, a wrong key or a user JWT → 401', async () => {
    const user = await signUp(t);
    for (const headers of [{}, { Key: 'wrong' }, user.auth]) {
      const res = await t
        .http()
        .get(`${API}/node/users`)
        .set(headers)
        .expect(401);
      expect(res.body).toMatchObject({ ret: 0, msg: 'Invalid request.' });
    }
    // And the node key opens no user route.
    await t.http().get(`${API}/user/info`).set(KEY).expect(401);
  });

  it.each([
    ['online', { node_id: 1, online: -1, load: '0.1' }, 'online'],
    ['online', { node_id: 1, online: 1 }, 'load'],
    [
      'heartbeat',
      { node_id: 1, cpu_load: 'high', memory_usage: 1, network_speed: 1 },
      'cpu_load',
    ],
    ['traffic', { data: [] }, 'node_id'],
    ['traffic', { node_id: 1, data: [{ user_id: 1, u: 1.5, d: 0 }] }, 'data'],
  ])(
    'POST /node/%s with bad input → 400 naming the field',
    async (route, body, field) => {
      const res = await t
        .http()
        .post(`${API}/node/${route}`)
        .set(KEY)
        .send(body)
        .expect(400);
      expect(res.body).toMatchObject({ ret: 0, code: 'VALIDATION_FAILED' });
      expect(Object.keys(res.body.errors)).toContain(field);
    },
  );

  it('unknown nodes → 404 on the seed posts', async () => {
    for (const [route, body] of [
      ['online', { node_id: 5555, online: 1, load: '0' }],
      [
        'heartbeat',
        { node_id: 5555, cpu_load: 1, memory_usage: 1, network_speed: 1 },
      ],
      ['traffic', { node_id: 5555, data: [{ user_id: 1, u: 1, d: 1 }] }],
    ] as const) {
      const res = await t
        .http()
        .post(`${API}/node/${route}`)
        .set(KEY)
        .send(body)
        .expect(404);
      expect(res.body.code).toBe('NODE_NOT_FOUND');
    }
  });

  /** One online report and one heartbeat for a fresh node: both snapshots written. */
  async function reportOnlineAndStats(): Promise<number> {
    const node = await createNode(t.dataSource);
    await t
      .http()
      .post(`${API}/node/online`)
      .set(KEY)
      .send({ node_id: node.id, online: 3, load: '0.5' })
      .expect(200);
    await t
      .http()
      .post(`${API}/node/heartbeat`)
      .set(KEY)
      .send({
        node_id: node.id,
        cpu_load: 1,
        memory_usage: 2,
        network_speed: 3,
      })
      .expect(200);
    return node.id;
  }

  itWithRedis(
    'the online and stats snapshots carry their TTLs in Redis (300 s, 180 s)',
    async () => {
      const nodeId = await reportOnlineAndStats();
      const redis = t.app.get(RedisService);
      for (const [key, ttl] of [
        [`node:${nodeId}:online`, 300],
        [`node:${nodeId}:stats`, 180],
      ] as const) {
        const left = await redis.client!.ttl(key);
        expect([key, left > ttl - 5 && left <= ttl]).toEqual([key, true]);
      }
    },
  );

  itWithoutRedis(
    'in memory the stats snapshot expires after 180 s and the online one after 300 s',
    async () => {
      const nodeId = await reportOnlineAndStats();
      const state = t.app.get(NodeStateService);
      const start = Date.now();
      const at = (s: number) =>
        jest.spyOn(Date, 'now').mockReturnValue(start + s * 1000);
      try {
        at(175);
        let live = await state.liveState(nodeId);
        expect([live.online !== null, live.stats !== null]).toEqual([
          true,
          true,
        ]);
        at(185);
        live = await state.liveState(nodeId);
        expect([live.online !== null, live.stats !== null]).toEqual([
          true,
          false,
        ]);
        at(295);
        expect((await state.liveState(nodeId)).online).not.toBeNull();
        at(305);
        expect((await state.liveState(nodeId)).online).toBeNull();
      } finally {
        jest.restoreAllMocks();
      }
    },
  );
});

describe('node API: the cached user list expires after NODE_USERS_CACHE_TTL_S (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { NODE_USERS_CACHE_TTL_S: '2' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a change no event announces shows once the TTL has passed, under a new ETag', async () => {
    const node = await createNode(t.dataSource, { nodeGroup: 7 });
    const a = await createNodeUser(t.dataSource, { nodeGroup: 7 });
    const list = () =>
      t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: node.id })
        .set(KEY)
        .expect(200);
    const first = await list();
    const filledAt = Date.now();
    expect(first.body.data.count).toBe(1);
    // a direct write (no event): only the TTL can retire the cached list
    await updateUser(t.dataSource, a.id, { enable: 0 });
    const cached = await list();
    expect(Date.now() - filledAt).toBeLessThan(2_000);
    expect(cached.headers.etag).toBe(first.headers.etag);
    expect(cached.body.data.count).toBe(1);
    await sleep(2_000 - (Date.now() - filledAt) + 300);
    const expired = await list();
    expect(expired.body.data).toEqual({ users: [], count: 0 });
    expect(expired.headers.etag).not.toBe(first.headers.etag);
  });
});
