import {
  AliveIp,
  DetectList,
  DetectLog,
  SsNode,
  SsNodeInfo,
  TrafficReport,
  User,
} from '../../src/database/entities/index.js';
import { NodeCacheService } from '../../src/modules/node-api/node-cache.service.js';
import {
  createNode,
  createNodeUser,
  daysFromNow,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/**
 * XrayR in SSPanel mode, replayed as its api/sspanel/sspanel.go sends it (XrayR-project/XrayR,
 * fe4a604): resty with `key` and `muKey` query params on every request, no auth header,
 * `If-None-Match: c.eTags[...]` (empty on the first poll) on node info, users and detect rules,
 * `node_id` in the query of users and the three report posts; responses decoded into
 * `Response{Ret uint; Data json.RawMessage}` and model.go's typed structs.
 */
describe('node API: SSPanel /mod_mu dialect (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const nodeRow = (id: number) =>
    t.dataSource.getRepository(SsNode).findOneByOrFail({ id });

  it('replays an XrayR cycle: info, users, rules, 304, traffic, aliveip, detectlog', async () => {
    const node = await createNode(t.dataSource, {
      trafficRate: 2,
      nodeSpeedlimit: 100,
      // Stored by an older admin tool with a number: XrayR's Go struct needs a string.
      customConfig: JSON.stringify({
        offset_port_node: 443,
        network: 'ws',
        verify_cert: 1,
      }),
    });
    const alice = await createNodeUser(t.dataSource, {
      nodeSpeedlimit: 50,
      nodeConnector: 3,
    });
    const bob = await createNodeUser(t.dataSource);
    await t.dataSource.getRepository(DetectList).insert({
      name: 'bt',
      text: 'BitTorrent',
      regex: 'BitTorrent protocol',
      type: 1,
    });
    const etags: Record<string, string> = { node: '', users: '', rules: '' };

    // GetNodeInfo
    const info = await t
      .http()
      .get(`/mod_mu/nodes/${node.id}/info`)
      .query(muQuery())
      .set('If-None-Match', etags.node)
      .expect(200);
    expect(info.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    etags.node = info.headers.etag;
    expect(info.body.ret).toBe(1);
    expect(typeof info.body.ret).toBe('number');
    const data = info.body.data;
    expect(data.version).toMatch(/^\d+(\.\d+)*$/);
    expect(compareVersion(data.version, '2023.2')).toBeGreaterThanOrEqual(0);
    expect(data).toMatchObject({
      node_group: 0,
      node_class: 0,
      node_speedlimit: 100,
      traffic_rate: 2,
      sort: 11,
      server: 'node.example.com',
      type: expect.any(String),
    });
    // The stored keys with XrayR's types, overlaid with what the node protocol model resolved
    // (alter_id: XrayR's strconv.Atoi fails the whole node on an absent one).
    expect(data.custom_config).toEqual({
      offset_port_node: '443',
      offset_port_user: '443',
      network: 'ws',
      path: '/',
      security: 'none',
      enable_vless: '0',
      alter_id: '0',
      verify_cert: true,
    });

    // GetUserList: the first poll carries an empty If-None-Match, which never matches.
    const users = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(node.id))
      .set('If-None-Match', etags.users)
      .expect(200);
    expect(users.headers['content-type']).toMatch(/^application\/json/);
    expect(users.body.ret).toBe(1);
    etags.users = users.headers.etag;
    expect(etags.users).toMatch(/^W\/"/);
    expect(users.body.data).toEqual([
      {
        id: alice.id,
        uuid: alice.uuid,
        passwd: alice.passwd,
        method: 'aes-256-gcm',
        port: alice.port,
        node_speedlimit: 50,
        node_iplimit: 3,
        alive_ip: 0,
      },
      expect.objectContaining({
        id: bob.id,
        node_iplimit: 0,
        node_speedlimit: 0,
      }),
    ]);
    for (const u of users.body.data) {
      expect(Number.isInteger(u.id)).toBe(true);
      expect(Number.isInteger(u.port)).toBe(true);
      expect(typeof u.uuid).toBe('string');
      expect(typeof u.passwd).toBe('string');
      expect(typeof u.node_speedlimit).toBe('number');
      expect(Number.isInteger(u.node_iplimit)).toBe(true);
      expect(Number.isInteger(u.alive_ip)).toBe(true);
    }
    // The poll is a heartbeat.
    expect((await nodeRow(node.id)).nodeHeartbeat).toBeGreaterThan(0);

    // GetNodeRule
    const rules = await t
      .http()
      .get('/mod_mu/func/detect_rules')
      .query(muQuery())
      .set('If-None-Match', etags.rules)
      .expect(200);
    expect(rules.body).toEqual({
      ret: 1,
      data: [
        {
          id: 1,
          name: 'bt',
          text: 'BitTorrent',
          regex: 'BitTorrent protocol',
          type: 1,
        },
      ],
    });
    etags.rules = rules.headers.etag;

    // Next cycle: nothing changed → 304 with an empty body on all three GETs.
    for (const [path, tag, q] of [
      [`/mod_mu/nodes/${node.id}/info`, etags.node, muQuery()],
      ['/mod_mu/users', etags.users, muQuery(node.id)],
      ['/mod_mu/func/detect_rules', etags.rules, muQuery()],
    ] as const) {
      const res = await t
        .http()
        .get(path)
        .query(q)
        .set('If-None-Match', tag)
        .expect(304);
      expect(res.text ?? '').toBe('');
      expect(res.headers.etag).toBe(tag);
    }

    // ReportUserTraffic: rate 2 applied to the user, raw bytes to the node.
    const before = await nodeRow(node.id);
    await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .send({
        data: [
          { user_id: alice.id, u: 100, d: 1000 },
          { user_id: bob.id, u: 5, d: 0 },
        ],
      })
      .expect(200, { ret: 1, msg: 'ok' });
    const a = await t.dataSource
      .getRepository(User)
      .findOneByOrFail({ id: alice.id });
    expect([a.u, a.d]).toEqual([200, 2000]);
    expect(a.t).toBeGreaterThan(0);
    expect((await nodeRow(node.id)).nodeBandwidth).toBe(
      before.nodeBandwidth + 1105,
    );

    // ReportNodeOnlineUsers
    await t
      .http()
      .post('/mod_mu/users/aliveip')
      .query(muQuery(node.id))
      .send({
        data: [
          { user_id: alice.id, ip: '203.0.113.7' },
          { user_id: alice.id, ip: '2001:db8::1' },
        ],
      })
      .expect(200, { ret: 1, msg: 'ok' });
    const alive = await t.dataSource
      .getRepository(AliveIp)
      .find({ where: { nodeid: node.id } });
    expect(alive.map((r) => r.ip).sort()).toEqual([
      '2001:db8::1',
      '203.0.113.7',
    ]);
    expect((await nodeRow(node.id)).nodeOnline).toBe(1);

    // ReportIllegal
    await t
      .http()
      .post('/mod_mu/users/detectlog')
      .query(muQuery(node.id))
      .send({ data: [{ list_id: 1, user_id: bob.id }] })
      .expect(200, { ret: 1, msg: 'ok' });
    const logs = await t.dataSource.getRepository(DetectLog).find();
    expect(logs).toEqual([
      expect.objectContaining({ userId: bob.id, listId: 1, nodeId: node.id }),
    ]);

    // The list is rebuilt after invalidation: alice's two alive IPs show up.
    await t.app.get(NodeCacheService).invalidate(node.id);
    const again = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(node.id))
      .set('If-None-Match', etags.users)
      .expect(200);
    expect(again.headers.etag).not.toBe(etags.users);
    expect(again.body.data[0]).toMatchObject({ id: alice.id, alive_ip: 2 });
  });

  it('re-sending an alive IP refreshes its row instead of adding one', async () => {
    const node = await createNode(t.dataSource);
    const user = await createNodeUser(t.dataSource);
    const post = () =>
      t
        .http()
        .post('/mod_mu/users/aliveip')
        .query(muQuery(node.id))
        .send({ data: [{ user_id: user.id, ip: '198.51.100.1' }] })
        .expect(200, { ret: 1, msg: 'ok' });
    await post();
    await t.dataSource
      .getRepository(AliveIp)
      .update({ nodeid: node.id }, { datetime: 1 });
    await post();
    const rows = await t.dataSource
      .getRepository(AliveIp)
      .find({ where: { nodeid: node.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].datetime).toBeGreaterThan(1);
  });

  it('accepts the legacy load report as JSON and as a form', async () => {
    const node = await createNode(t.dataSource);
    await t
      .http()
      .post(`/mod_mu/nodes/${node.id}/info`)
      .query(muQuery())
      .send({ uptime: '3600', load: '0.50 0.40 0.30' })
      .expect(200, { ret: 1, msg: 'ok' });
    await t
      .http()
      .post(`/mod_mu/nodes/${node.id}/info`)
      .query(muQuery())
      .type('form')
      .send({ uptime: '7200', load: '0.10 0.10 0.10' })
      .expect(200, { ret: 1, msg: 'ok' });
    const rows = await t.dataSource
      .getRepository(SsNodeInfo)
      .find({ where: { nodeId: node.id } });
    expect(rows.map((r) => [r.uptime, r.load])).toEqual([
      [3600, '0.50 0.40 0.30'],
      [7200, '0.10 0.10 0.10'],
    ]);
  });

  it('ping answers SSPanel’s pong', async () => {
    await t
      .http()
      .get('/mod_mu/func/ping')
      .query(muQuery())
      .expect(200, { ret: 1, msg: 'Pong? Pong!' });
  });

  describe('auth', () => {
    it.each([
      ['no key', {}],
      ['wrong key', { key: 'nope', muKey: 'nope' }],
    ])('%s → 401 {ret:0,msg:"Invalid request."}', async (_, query) => {
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query({ ...query, node_id: 1 })
        .expect(401);
      expect(res.body).toEqual({ ret: 0, msg: 'Invalid request.' });
    });

    it('accepts muKey alone and the Key header', async () => {
      const node = await createNode(t.dataSource);
      await t
        .http()
        .get('/mod_mu/users')
        .query({ muKey: MU_KEY, node_id: node.id })
        .expect(200);
      await t
        .http()
        .get('/mod_mu/users')
        .query({ node_id: node.id })
        .set('Key', MU_KEY)
        .expect(200);
    });
  });

  describe('who a node serves', () => {
    it('serves only enabled, switched-on, unexpired, in-quota users of the right class and group within their device limit', async () => {
      const node = await createNode(t.dataSource, {
        nodeClass: 1,
        nodeGroup: 2,
      });
      const ok = { classLevel: 1, nodeGroup: 2 };
      const served = await createNodeUser(t.dataSource, ok);
      const higher = await createNodeUser(t.dataSource, {
        ...ok,
        classLevel: 3,
      });
      const atLimit = await createNodeUser(t.dataSource, {
        ...ok,
        nodeConnector: 1,
      });
      const excluded = {
        disabled: await createNodeUser(t.dataSource, { ...ok, enable: 0 }),
        switchedOff: await createNodeUser(t.dataSource, { ...ok, switch: 0 }),
        expired: await createNodeUser(t.dataSource, {
          ...ok,
          expireIn: daysFromNow(-1),
        }),
        overQuota: await createNodeUser(t.dataSource, {
          ...ok,
          transferEnable: 1000,
          u: 600,
          d: 400,
        }),
        lowClass: await createNodeUser(t.dataSource, { ...ok, classLevel: 0 }),
        classLapsed: await createNodeUser(t.dataSource, {
          ...ok,
          classExpire: daysFromNow(-1),
        }),
        otherGroup: await createNodeUser(t.dataSource, { ...ok, nodeGroup: 3 }),
        overDevices: await createNodeUser(t.dataSource, {
          ...ok,
          nodeConnector: 1,
        }),
      };
      const now = Math.floor(Date.now() / 1000);
      await t.dataSource.getRepository(AliveIp).insert([
        {
          nodeid: 99,
          userid: excluded.overDevices.id,
          ip: '192.0.2.1',
          datetime: now,
        },
        {
          nodeid: node.id,
          userid: excluded.overDevices.id,
          ip: '192.0.2.2',
          datetime: now,
        },
        { nodeid: node.id, userid: atLimit.id, ip: '192.0.2.3', datetime: now },
        // Too old to count.
        {
          nodeid: node.id,
          userid: atLimit.id,
          ip: '192.0.2.4',
          datetime: now - 300,
        },
      ]);
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .expect(200);
      expect(res.body.data.map((u: { id: number }) => u.id)).toEqual([
        served.id,
        higher.id,
        atLimit.id,
      ]);
      expect(res.body.data[2].alive_ip).toBe(1);
    });

    it('a node of group 0 serves every group; class 0 users need no class_expire', async () => {
      const node = await createNode(t.dataSource);
      const a = await createNodeUser(t.dataSource, {
        nodeGroup: 5,
        classExpire: daysFromNow(-10),
      });
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .expect(200);
      expect(res.body.data.map((u: { id: number }) => u.id)).toContain(a.id);
    });

    it('a disabled or over-bandwidth node gets ret 1 with an empty list', async () => {
      await createNodeUser(t.dataSource);
      const disabled = await createNode(t.dataSource, { type: 0 });
      const full = await createNode(t.dataSource, {
        nodeBandwidthLimit: 1000,
        nodeBandwidth: 1000,
      });
      for (const node of [disabled, full]) {
        const res = await t
          .http()
          .get('/mod_mu/users')
          .query(muQuery(node.id))
          .expect(200);
        expect(res.body).toEqual({ ret: 1, data: [] });
        expect(res.headers.etag).toMatch(/^W\//);
      }
    });

    it('an unknown node gets ret 0 (HTTP 200) on every route and nothing is written', async () => {
      const user = await createNodeUser(t.dataSource);
      const unknown = 9999;
      const get = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(unknown))
        .expect(200);
      expect(get.body).toEqual({ ret: 0, msg: `Node ${unknown} not found` });
      const info = await t
        .http()
        .get(`/mod_mu/nodes/${unknown}/info`)
        .query(muQuery())
        .expect(200);
      expect(info.body.ret).toBe(0);
      expect(info.headers.etag).toBeUndefined();
      for (const [path, body] of [
        ['/mod_mu/users/traffic', { data: [{ user_id: user.id, u: 1, d: 1 }] }],
        [
          '/mod_mu/users/aliveip',
          { data: [{ user_id: user.id, ip: '192.0.2.9' }] },
        ],
        [
          '/mod_mu/users/detectlog',
          { data: [{ user_id: user.id, list_id: 1 }] },
        ],
      ] as const) {
        const res = await t
          .http()
          .post(path)
          .query(muQuery(unknown))
          .send(body)
          .expect(200);
        expect(res.body).toEqual({ ret: 0, msg: `Node ${unknown} not found` });
      }
      const row = await t.dataSource
        .getRepository(User)
        .findOneByOrFail({ id: user.id });
      expect([row.u, row.d]).toEqual([0, 0]);
      expect(
        await t.dataSource
          .getRepository(AliveIp)
          .count({ where: { nodeid: unknown } }),
      ).toBe(0);
      expect(
        await t.dataSource
          .getRepository(DetectLog)
          .count({ where: { nodeId: unknown } }),
      ).toBe(0);
      expect(
        await t.dataSource
          .getRepository(TrafficReport)
          .count({ where: { nodeId: unknown } }),
      ).toBe(0);
    });
  });

  describe('bad input changes nothing', () => {
    let node: SsNode;
    let user: User;
    beforeAll(async () => {
      node = await createNode(t.dataSource);
      user = await createNodeUser(t.dataSource);
    });

    const entries = (n: number) =>
      Array.from({ length: n }, () => ({ user_id: user.id, u: 1, d: 1 }));

    it.each([
      ['non-JSON', '{"data": [', 'application/json'],
      ['a plain-text body', 'data=1', 'text/plain'],
      [
        'a top-level array',
        JSON.stringify([{ user_id: 1, u: 1, d: 1 }]),
        'application/json',
      ],
      ['missing data', JSON.stringify({}), 'application/json'],
      [
        'data not an array',
        JSON.stringify({ data: { user_id: 1 } }),
        'application/json',
      ],
      [
        'negative bytes',
        JSON.stringify({ data: [{ user_id: 1, u: -1, d: 0 }] }),
        'application/json',
      ],
      [
        'fractional bytes',
        JSON.stringify({ data: [{ user_id: 1, u: 1.5, d: 0 }] }),
        'application/json',
      ],
      [
        'string bytes',
        JSON.stringify({ data: [{ user_id: 1, u: '100', d: 0 }] }),
        'application/json',
      ],
      [
        'bytes over 2^53-1',
        JSON.stringify({ data: [{ user_id: 1, u: 2 ** 53, d: 0 }] }),
        'application/json',
      ],
      [
        'a string user_id',
        JSON.stringify({ data: [{ user_id: '1', u: 1, d: 0 }] }),
        'application/json',
      ],
      [
        'an unknown entry field',
        JSON.stringify({ data: [{ user_id: 1, u: 1, d: 0, x: 1 }] }),
        'application/json',
      ],
      [
        'an unknown top-level field',
        JSON.stringify({ data: [], extra: 1 }),
        'application/json',
      ],
    ])('traffic with %s → 400 {ret:0,msg}', async (_, body, type) => {
      const payload = body.replace(/"user_id": ?1\b/g, `"user_id":${user.id}`);
      const res = await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(node.id))
        .set('Content-Type', type)
        .send(payload)
        .expect(400);
      expect(res.body).toEqual({ ret: 0, msg: expect.any(String) });
      await expectUntouched();
    });

    it('10,001 entries → 400 naming the bound; 10,000 are accepted', async () => {
      const res = await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(node.id))
        .send({ data: entries(10_001) })
        .expect(400);
      expect(res.body.msg).toMatch(/at most 10000 entries/);
      await expectUntouched();
      await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(node.id))
        .send({ data: entries(10_000) })
        .expect(200, { ret: 1, msg: 'ok' });
      const row = await t.dataSource
        .getRepository(User)
        .findOneByOrFail({ id: user.id });
      expect([row.u, row.d]).toEqual([10_000, 10_000]);
      await t.dataSource
        .getRepository(User)
        .update({ id: user.id }, { u: 0, d: 0, t: 0 });
      await t.dataSource
        .getRepository(SsNode)
        .update({ id: node.id }, { nodeBandwidth: 0 });
    });

    it.each([
      ['missing node_id', {}],
      ['node_id not a number', { node_id: 'abc' }],
      ['node_id 0', { node_id: 0 }],
      ['an unknown query parameter', { node_id: 1, foo: 'bar' }],
    ])('%s → 400', async (_, query) => {
      const res = await t
        .http()
        .get('/mod_mu/users')
        .query({ key: MU_KEY, muKey: MU_KEY, ...query })
        .expect(400);
      expect(res.body).toEqual({ ret: 0, msg: expect.any(String) });
    });

    it.each([
      [
        'aliveip',
        '/mod_mu/users/aliveip',
        { data: [{ user_id: 1, ip: 'not-an-ip' }] },
      ],
      ['aliveip', '/mod_mu/users/aliveip', {}],
      [
        'detectlog',
        '/mod_mu/users/detectlog',
        { data: [{ user_id: 1, list_id: 'x' }] },
      ],
    ])('%s with bad entries → 400', async (_, path, body) => {
      await t.http().post(path).query(muQuery(node.id)).send(body).expect(400);
      expect(
        await t.dataSource
          .getRepository(AliveIp)
          .count({ where: { nodeid: node.id } }),
      ).toBe(0);
      expect(
        await t.dataSource
          .getRepository(DetectLog)
          .count({ where: { nodeId: node.id } }),
      ).toBe(0);
    });

    async function expectUntouched(): Promise<void> {
      const row = await t.dataSource
        .getRepository(User)
        .findOneByOrFail({ id: user.id });
      expect([row.u, row.d, row.t]).toEqual([0, 0, 0]);
      expect((await nodeRow(node.id)).nodeBandwidth).toBe(0);
      expect(
        await t.dataSource
          .getRepository(TrafficReport)
          .count({ where: { nodeId: node.id } }),
      ).toBe(0);
    }
  });
});

/** XrayR's compareVersion for digit-and-dot versions. */
function compareVersion(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
