import { createHash } from 'node:crypto';
import { SsNode, User } from '../../src/database/entities/index.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  NODES_CHANGED,
  NodesChangedEvent,
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../src/common/events/domain-events.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
} from '../factories/node.factory.js';
import { signUpAdmin } from '../factories/user.factory.js';
import { goDecodeErrors } from '../utils/go-json.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import {
  agent,
  agentQuery,
  UNIPROXY,
  v2bxConfigProblems,
  V2BX_USERS,
  XRAYR_USERS,
  xrayrConfigProblems,
} from '../utils/uniproxy-agents.js';

const REALITY_PUBLIC = 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw';
const REALITY_PRIVATE = 'gFRJ7yCQ0mXo6Rz2cZrD4fQn4c3S1vX9zqT0u8vG8Ew';
const SS_SERVER_KEY = Buffer.alloc(16, 7).toString('base64');

/** One node per protocol the issue names, as an admin stores it (SSPanel-UIM sort + custom_config). */
const NODES = {
  vmessWsTls: {
    sort: 11,
    server: 'hk1.example.com',
    customConfig: JSON.stringify({
      offset_port_node: '443',
      network: 'ws',
      security: 'tls',
      host: 'cdn.example.com',
      path: '/ray',
    }),
  },
  vlessRealityVision: {
    sort: 13,
    server: '203.0.113.10',
    customConfig: JSON.stringify({
      offset_port_node: 443,
      network: 'tcp',
      security: 'reality',
      flow: 'xtls-rprx-vision',
      'reality-opts': {
        'public-key': REALITY_PUBLIC,
        'short-id': '6ba85179e30d4fc2',
        server_names: ['www.microsoft.com'],
        private_key: REALITY_PRIVATE,
        dest: 'www.microsoft.com:443',
      },
    }),
  },
  trojan: {
    sort: 14,
    server: 'tj.example.com',
    customConfig: JSON.stringify({ offset_port_node: '8443' }),
  },
  shadowsocks2022: {
    sort: 1,
    server: 'ss.example.com',
    customConfig: JSON.stringify({
      offset_port_node: '8388',
      method: '2022-blake3-aes-128-gcm',
      server_key: SS_SERVER_KEY,
    }),
  },
  hysteria2: {
    sort: 15,
    server: 'hy.example.com',
    customConfig: JSON.stringify({
      offset_port_node: '8443',
      obfs: 'salamander',
      obfs_password: 'obfs-secret',
      up_mbps: 100,
      down_mbps: 500,
    }),
  },
  hysteria1: {
    sort: 15,
    server: 'hy1.example.com',
    customConfig: JSON.stringify({
      version: 1,
      offset_port_node: '8444',
      obfs_password: 'xplus-secret',
      up_mbps: 100,
      down_mbps: 500,
    }),
  },
  anytls: {
    sort: 16,
    server: 'at.example.com',
    customConfig: JSON.stringify({
      offset_port_node: 8445,
      padding_scheme: ['stop=8', '0=30-30', '1=100-400'],
    }),
  },
  tuic: {
    sort: 2,
    server: 'tuic.example.com',
    customConfig: JSON.stringify({
      offset_port_node: '9443',
      congestion_control: 'bbr',
      zero_rtt_handshake: '1',
    }),
  },
} satisfies Record<string, Partial<SsNode>>;

const sha1 = (body: string | Buffer) =>
  createHash('sha1').update(body).digest('hex');

describe('node API: V2Board UniProxy dialect (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const userRow = (id: number) =>
    t.dataSource.getRepository(User).findOneByOrFail({ id });
  const nodeRow = (id: number) =>
    t.dataSource.getRepository(SsNode).findOneByOrFail({ id });

  it('the strict decoder refuses what V2bX refuses (so a passing config is evidence)', () => {
    const good = {
      server_port: 443,
      tls: 1,
      network: 'tcp',
      base_config: { push_interval: 60, pull_interval: 60 },
    };
    expect(v2bxConfigProblems('vmess', good)).toEqual([]);
    for (const bad of [
      { ...good, server_port: '443' },
      { ...good, tls: 1.5 },
      { ...good, tls_settings: { server_port: 443 } },
      { ...good, tls_settings: { xver: 0 } },
      { ...good, base_config: undefined },
      { ...good, base_config: { push_interval: 60 } },
      { ...good, routes: [{ match: null, action: 'block' }] },
      { ...good, routes: [{ match: ['a', 1], action: 'block' }] },
    ])
      expect(v2bxConfigProblems('vmess', bad)).not.toEqual([]);
    const common = { server_port: 443, base_config: good.base_config };
    expect(v2bxConfigProblems('hysteria', { ...common, up_mbps: 1 })).toEqual(
      [],
    );
    expect(
      v2bxConfigProblems('hysteria', { ...common, up_mbps: '100' }),
    ).not.toEqual([]);
    expect(
      v2bxConfigProblems('anytls', { ...common, padding_scheme: 'stop=8' }),
    ).not.toEqual([]);
    expect(
      goDecodeErrors(
        { users: [{ id: '1', uuid: 'u', speed_limit: 0, device_limit: 0 }] },
        V2BX_USERS,
      ),
    ).not.toEqual([]);
  });

  it('replays XrayR V2board mode (node_type v2ray): config → user → 304 on the second poll → push; a re-sent push is not double-counted', async () => {
    // XrayR api/newV2board/v2board.go: `If-None-Match: c.eTags["node"]` (empty at first), the
    // `Etag` header stored when non-empty, 304 = "not modified", any status > 399 an error, and
    // the body must parse as JSON. NodeType "V2ray" → node_type "v2ray".
    const node = await createNode(t.dataSource, {
      ...NODES.vmessWsTls,
      trafficRate: 2,
    });
    const alice = await createNodeUser(t.dataSource, { nodeSpeedlimit: 50 });
    const xrayr = agent(t, node.id, 'v2ray');
    const etags = { node: '', users: '' };

    const config = await xrayr
      .get('config')
      .set('If-None-Match', etags.node)
      .expect(200);
    expect(config.headers['content-type']).toMatch(/^application\/json/);
    expect(config.headers.etag).toBe(`"${sha1(config.text)}"`);
    etags.node = config.headers.etag;
    expect(xrayrConfigProblems(config.body)).toEqual([]);
    expect(config.body).toMatchObject({
      server_port: 443,
      network: 'ws',
      tls: 1,
      networkSettings: { path: '/ray', headers: { Host: 'cdn.example.com' } },
    });

    const users = await xrayr
      .get('user')
      .set('If-None-Match', etags.users)
      .expect(200);
    etags.users = users.headers.etag;
    expect(goDecodeErrors(users.body, XRAYR_USERS)).toEqual([]);
    // XrayR panics at start on an empty list ("users is null").
    expect(users.body.users.length).toBeGreaterThan(0);
    expect(users.body.users).toContainEqual({
      id: alice.id,
      uuid: alice.uuid,
      speed_limit: 50,
      device_limit: 0,
    });

    const again = await xrayr
      .get('config')
      .set('If-None-Match', etags.node)
      .expect(304);
    expect(again.text ?? '').toBe('');
    await xrayr.get('user').set('If-None-Match', etags.users).expect(304);

    // ReportUserTraffic: `map[int][]int64` → {"<uid>": [up, down]}.
    const push = { [alice.id]: [1000, 5000] };
    const pushed = await xrayr.post('push', push).expect(200);
    expect(pushed.body).toEqual({ data: true });
    expect(await userRow(alice.id)).toMatchObject({ u: 2000, d: 10000 });
    // XrayR keeps its counters and re-sends the same push after an answer it could not read
    // (non-JSON, ≥ 400, or lost): within the dedup window it is acknowledged, not re-applied.
    await xrayr.post('push', push).expect(200, { data: true });
    expect(await userRow(alice.id)).toMatchObject({ u: 2000, d: 10000 });
    // Pulls and the push are heartbeats: the node is online.
    expect((await nodeRow(node.id)).nodeHeartbeat).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
  });

  it('replays V2bX (wyx2685): config with base_config, user, alivelist, alive, push, the forced empty-If-None-Match refresh', async () => {
    // wyx2685/V2bX api/panel/node.go GetNodeInfo, api/panel/user.go GetUserList /
    // GetUserAlive / ReportUserTraffic, node/user.go (alive every push cycle).
    const node = await createNode(t.dataSource, NODES.vlessRealityVision);
    const limited = await createNodeUser(t.dataSource, { nodeConnector: 3 });
    const v2bx = agent(t, node.id, 'vless');

    const config = await v2bx
      .get('config')
      .set('If-None-Match', '')
      .expect(200);
    expect(v2bxConfigProblems('vless', config.body)).toEqual([]);
    expect(config.body).toMatchObject({
      server_port: 443,
      tls: 2,
      flow: 'xtls-rprx-vision',
      tls_settings: {
        server_name: 'www.microsoft.com',
        dest: 'www.microsoft.com',
        server_port: '443',
        private_key: REALITY_PRIVATE,
        short_id: '6ba85179e30d4fc2',
      },
      base_config: { push_interval: 60, pull_interval: 60 },
    });
    expect(config.body.tls_settings).not.toHaveProperty('xver');

    // GetUserList sends X-Response-Format: msgpack and falls back to JSON when the answer's
    // Content-Type is not msgpack; here the JSON form (the msgpack one: reports spec).
    const users = await v2bx.get('user').set('If-None-Match', '').expect(200);
    expect(goDecodeErrors(users.body, V2BX_USERS)).toEqual([]);
    expect(users.body.users).toContainEqual({
      id: limited.id,
      uuid: limited.uuid,
      speed_limit: 0,
      device_limit: 3,
    });
    const userEtag = users.headers.etag as string;

    const empty = await v2bx.get('alivelist').expect(200);
    expect(empty.text).toBe('{"alive":{}}');

    await v2bx
      .post('alive', { [limited.id]: ['198.51.100.7_1', '198.51.100.8:50000'] })
      .expect(200, { data: true });
    const alive = await v2bx.get('alivelist').expect(200);
    expect(alive.body).toEqual({ alive: { [limited.id]: 2 } });

    await v2bx
      .post('push', { [limited.id]: [10, 20] })
      .expect(200, { data: true });
    expect(await userRow(limited.id)).toMatchObject({ u: 10, d: 20 });

    await v2bx.get('user').set('If-None-Match', userEtag).expect(304);
    // Every 5 minutes V2bX clears its ETag to force a full list: a 200 with the same tag.
    const forced = await v2bx.get('user').set('If-None-Match', '').expect(200);
    expect(forced.headers.etag).toBe(userEtag);
    expect(forced.text).toBe(users.text);
  });

  const CASES: [string, keyof typeof NODES, Record<string, unknown>][] = [
    [
      'vmess',
      'vmessWsTls',
      {
        server_port: 443,
        network: 'ws',
        networkSettings: { path: '/ray', headers: { Host: 'cdn.example.com' } },
        network_settings: {
          path: '/ray',
          headers: { Host: 'cdn.example.com' },
        },
        tls: 1,
        tls_settings: { server_name: 'cdn.example.com', allow_insecure: false },
      },
    ],
    [
      'vless',
      'vlessRealityVision',
      {
        server_port: 443,
        network: 'tcp',
        networkSettings: {},
        network_settings: {},
        tls: 2,
        flow: 'xtls-rprx-vision',
      },
    ],
    [
      'trojan',
      'trojan',
      {
        server_port: 8443,
        host: 'tj.example.com',
        server_name: 'tj.example.com',
        network: 'tcp',
        tls: 1,
      },
    ],
    [
      'shadowsocks',
      'shadowsocks2022',
      {
        server_port: 8388,
        cipher: '2022-blake3-aes-128-gcm',
        server_key: SS_SERVER_KEY,
      },
    ],
    [
      'hysteria2',
      'hysteria2',
      {
        server_port: 8443,
        server_name: 'hy.example.com',
        version: 2,
        up_mbps: 100,
        down_mbps: 500,
        ignore_client_bandwidth: false,
        obfs: 'salamander',
        'obfs-password': 'obfs-secret',
      },
    ],
    [
      'hysteria',
      'hysteria1',
      {
        server_port: 8444,
        host: 'hy1.example.com',
        server_name: 'hy1.example.com',
        version: 1,
        up_mbps: 100,
        down_mbps: 500,
        obfs: 'xplus-secret',
      },
    ],
    [
      'anytls',
      'anytls',
      {
        server_port: 8445,
        host: 'at.example.com',
        server_name: 'at.example.com',
        padding_scheme: ['stop=8', '0=30-30', '1=100-400'],
      },
    ],
    [
      'tuic',
      'tuic',
      {
        server_port: 9443,
        server_name: 'tuic.example.com',
        congestion_control: 'bbr',
        zero_rtt_handshake: true,
      },
    ],
  ];

  it.each(CASES)(
    '%s config (%s) decodes with V2bX strict types (and XrayR for its four)',
    async (nodeType, fixture, expected) => {
      const node = await createNode(t.dataSource, NODES[fixture]);
      const res = await agent(t, node.id, nodeType).get('config').expect(200);
      expect(res.body).toMatchObject({
        ...expected,
        base_config: { push_interval: 60, pull_interval: 60 },
      });
      expect(res.body).not.toHaveProperty('routes');
      expect(v2bxConfigProblems(nodeType, res.body)).toEqual([]);
      if (['vmess', 'vless', 'trojan', 'shadowsocks'].includes(nodeType))
        expect(xrayrConfigProblems(res.body)).toEqual([]);
      // No nulls anywhere: an absent optional is omitted.
      expect(res.text).not.toContain('null');
    },
  );

  it('routes only when the node has some, each match a list of strings and action_value a string', async () => {
    const node = await createNode(t.dataSource, {
      sort: 14,
      server: 'tj2.example.com',
      customConfig: JSON.stringify({
        offset_port_node: 443,
        routes: [
          {
            match: ['regexp:(.*\\.|)ads\\.example$', 'protocol:bittorrent'],
            action: 'block',
          },
          {
            id: 7,
            match: 'netflix.com,nflxvideo.net',
            action: 'dns',
            action_value: '1.1.1.1',
          },
        ],
      }),
    });
    const res = await agent(t, node.id, 'trojan').get('config').expect(200);
    expect(res.body.routes).toEqual([
      {
        id: 1,
        match: ['regexp:(.*\\.|)ads\\.example$', 'protocol:bittorrent'],
        action: 'block',
        action_value: '',
      },
      {
        id: 7,
        match: ['netflix.com', 'nflxvideo.net'],
        action: 'dns',
        action_value: '1.1.1.1',
      },
    ]);
    expect(v2bxConfigProblems('trojan', res.body)).toEqual([]);
    expect(xrayrConfigProblems(res.body)).toEqual([]);
  });

  it('node_type is normalised as agents send it: v2ray = vmess, case-insensitive; hysteria = v1 and hysteria2 = v2, as V2bX decodes them', async () => {
    const vmess = await createNode(t.dataSource, NODES.vmessWsTls);
    const hy2 = await createNode(t.dataSource, NODES.hysteria2);
    const hy1 = await createNode(t.dataSource, NODES.hysteria1);
    for (const type of ['v2ray', 'vmess', 'V2ray'])
      await agent(t, vmess.id, type).get('config').expect(200);
    await agent(t, hy2.id, 'hysteria2').get('config').expect(200);
    await agent(t, hy1.id, 'Hysteria').get('config').expect(200);
    // V2bX runs node_type hysteria as a v1 inbound (its HysteriaNode decoder): a Hysteria 2
    // node served to it would listen with the wrong protocol, so the mismatch is refused,
    // naming the type to run, on every action (users and reports included).
    for (const [id, sent, wanted] of [
      [hy2.id, 'hysteria', 'hysteria2'],
      [hy1.id, 'hysteria2', 'hysteria'],
    ] as const)
      for (const action of ['config', 'user', 'alivelist']) {
        const res = await agent(t, id, sent).get(action);
        expect({ action, status: res.status }).toEqual({ action, status: 400 });
        expect(res.body.message).toContain(
          `run the agent with node type ${wanted}`,
        );
      }
  });

  it('Hysteria v1 and AnyTLS agents get their users and report traffic like the others', async () => {
    const hy1 = await createNode(t.dataSource, NODES.hysteria1);
    const at = await createNode(t.dataSource, NODES.anytls);
    const dave = await createNodeUser(t.dataSource);
    for (const [node, type] of [
      [hy1, 'hysteria'],
      [at, 'anytls'],
    ] as const) {
      const a = agent(t, node.id, type);
      const users = await a.get('user').expect(200);
      expect(goDecodeErrors(users.body, V2BX_USERS)).toEqual([]);
      expect(users.body.users).toContainEqual(
        expect.objectContaining({ id: dave.id, uuid: dave.uuid }),
      );
      await a
        .post('push', { [dave.id]: [100, 200] })
        .expect(200, { data: true });
    }
    expect(await userRow(dave.id)).toMatchObject({ u: 200, d: 400 });
  });

  it('ETag as V2Board: strong "sha1" of the exact body; substring match (quoted, bare, W/), empty never; bare 304; a change or an invalidation is a new list', async () => {
    const node = await createNode(t.dataSource, NODES.trojan);
    const bob = await createNodeUser(t.dataSource);
    const a = agent(t, node.id, 'trojan');
    const first = await a.get('user').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(etag).toBe(`"${sha1(first.text)}"`);
    const hex = etag.slice(1, -1);
    for (const inm of [etag, hex, `W/${etag}`, `"other", ${etag}`]) {
      const res = await a.get('user').set('If-None-Match', inm);
      expect({ inm, status: res.status, body: res.text ?? '' }).toEqual({
        inm,
        status: 304,
        body: '',
      });
    }
    for (const inm of ['', '"0000"', 'W/"abc"'])
      await a.get('user').set('If-None-Match', inm).expect(200);
    // POST works the same (V2Board's catch-all).
    await t
      .http()
      .post(`${UNIPROXY}/user`)
      .query(agentQuery(node.id, 'trojan'))
      .set('If-None-Match', etag)
      .expect(304);

    // Dropped on the same events as /mod_mu (an admin user edit or a purchase announces
    // USERS_ENTITLEMENTS_CHANGED, a node edit NODES_CHANGED).
    const events = t.app.get(EventEmitter2);
    await t.dataSource
      .getRepository(User)
      .update({ id: bob.id }, { nodeSpeedlimit: 20 });
    await a.get('user').set('If-None-Match', etag).expect(304); // still cached
    await events.emitAsync(
      USERS_ENTITLEMENTS_CHANGED,
      new UsersEntitlementsChangedEvent([bob.id]),
    );
    const changed = await a.get('user').set('If-None-Match', etag).expect(200);
    const etag2 = changed.headers.etag as string;
    expect(etag2).not.toBe(etag);
    expect(changed.body.users).toContainEqual(
      expect.objectContaining({ id: bob.id, speed_limit: 20 }),
    );
    await t.dataSource
      .getRepository(SsNode)
      .update({ id: node.id }, { nodeSpeedlimit: 5 });
    await a.get('user').set('If-None-Match', etag2).expect(304);
    await events.emitAsync(NODES_CHANGED, new NodesChangedEvent(node.id));
    const capped = await a.get('user').set('If-None-Match', etag2).expect(200);
    expect(capped.body.users).toContainEqual(
      expect.objectContaining({ id: bob.id, speed_limit: 5 }),
    );

    // The config has the same scheme.
    const config = await a.get('config').expect(200);
    expect(config.headers.etag).toBe(`"${sha1(config.text)}"`);
    await a
      .get('config')
      .set('If-None-Match', `W/${config.headers.etag}`)
      .expect(304);
  });

  it('speed_limit is the tighter of the user and node limits in whole Mbit/s (never 0 for a limited user); a disabled node gets an empty list', async () => {
    const node = await createNode(t.dataSource, {
      ...NODES.trojan,
      nodeSpeedlimit: 30,
    });
    const fast = await createNodeUser(t.dataSource, { nodeSpeedlimit: 100 });
    const slow = await createNodeUser(t.dataSource, { nodeSpeedlimit: 0.5 });
    const free = await createNodeUser(t.dataSource);
    const res = await agent(t, node.id, 'trojan').get('user').expect(200);
    const byId = new Map<number, { speed_limit: number }>(
      res.body.users.map((u: { id: number; speed_limit: number }) => [u.id, u]),
    );
    expect(byId.get(fast.id)?.speed_limit).toBe(30);
    expect(byId.get(slow.id)?.speed_limit).toBe(1);
    expect(byId.get(free.id)?.speed_limit).toBe(30);

    const off = await createNode(t.dataSource, { ...NODES.trojan, type: 0 });
    const none = await agent(t, off.id, 'trojan').get('user').expect(200);
    expect(none.text).toBe('{"users":[]}');
  });

  it('every action answers GET and POST, with and without a trailing slash, never a redirect', async () => {
    const node = await createNode(t.dataSource, NODES.trojan);
    const query = agentQuery(node.id, 'trojan');
    for (const action of ['config', 'user', 'push', 'alive', 'alivelist'])
      for (const path of [action, `${action}/`])
        for (const method of ['get', 'post'] as const) {
          const res = await t
            .http()
            [method](`${UNIPROXY}/${path}`)
            .query(query);
          expect({ method, path, status: res.status }).toEqual({
            method,
            path,
            status: 200,
          });
        }
    const status = {
      cpu: 1,
      mem: { total: 2, used: 1 },
      swap: { total: 0, used: 0 },
      disk: { total: 9, used: 3 },
    };
    for (const path of ['status', 'status/'])
      for (const method of ['get', 'post'] as const)
        await t
          .http()
          [method](`${UNIPROXY}/${path}`)
          .query(query)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(status))
          .expect(200, { data: true });
  });

  it('auth and identity failures are 4xx JSON {"message"} on every method, and write nothing', async () => {
    const node = await createNode(t.dataSource, NODES.vmessWsTls);
    const carol = await createNodeUser(t.dataSource);
    const cases: [string, Record<string, string>, number][] = [
      ['wrong token', agentQuery(node.id, 'vmess', 'not-the-key'), 401],
      ['no token', { node_id: String(node.id), node_type: 'vmess' }, 401],
      ['unknown node', agentQuery(987654, 'vmess'), 404],
      ['type mismatch', agentQuery(node.id, 'trojan'), 400],
      ['unknown type', agentQuery(node.id, 'wireguard'), 400],
      ['no node_type', { node_id: String(node.id), token: MU_KEY }, 400],
      ['node_id 0', agentQuery(0, 'vmess'), 400],
      [
        'non-numeric node_id',
        { node_id: 'abc', node_type: 'vmess', token: MU_KEY },
        400,
      ],
    ];
    for (const [name, query, status] of cases)
      for (const action of [
        'config',
        'user',
        'push',
        'alive',
        'alivelist',
        'status',
      ])
        for (const method of ['get', 'post'] as const) {
          const res = await t
            .http()
            [method](`${UNIPROXY}/${action}`)
            .query(query)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify({ [carol.id]: [1, 1] }));
          expect({
            name,
            action,
            method,
            status: res.status,
            type: res.headers['content-type'],
            message: typeof res.body?.message,
            keys: Object.keys(res.body ?? {}),
          }).toEqual({
            name,
            action,
            method,
            status,
            type: expect.stringMatching(/^application\/json/),
            message: 'string',
            keys: ['message'],
          });
        }
    expect(await userRow(carol.id)).toMatchObject({ u: 0, d: 0 });
    // An unknown action (wyx2685/v2board's certPin): a JSON 404, which agents log as a failure.
    const unknown = await t
      .http()
      .get(`${UNIPROXY}/certPin`)
      .query(agentQuery(node.id, 'vmess'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
  });

  it('the admin node view shows which dialect a node last spoke, and when', async () => {
    const admin = await signUpAdmin(t);
    const node = await createNode(t.dataSource, NODES.trojan);
    const view = async () =>
      (
        await t
          .http()
          .get(`${API}/admin/nodes/${node.id}`)
          .set(admin.auth)
          .expect(200)
      ).body.data.live.dialect as { dialect: string; at: number } | null;
    expect(await view()).toBeNull();
    await agent(t, node.id, 'trojan').get('user').expect(200);
    expect(await view()).toEqual({
      dialect: 'uniproxy',
      at: expect.any(Number),
    });
    await t
      .http()
      .get('/mod_mu/users')
      .query({ key: MU_KEY, node_id: node.id })
      .expect(200);
    expect((await view())?.dialect).toBe('sspanel');
    // A refused request notes nothing.
    await agent(t, node.id, 'vmess').get('user').expect(400);
    expect((await view())?.dialect).toBe('sspanel');
  });

  it('a node UniProxy agents cannot serve gets 409 {"message"} on config (users and reports still work)', async () => {
    const plain = await createNode(t.dataSource, {
      sort: 0,
      customConfig: JSON.stringify({ offset_port_node: '8388' }),
    });
    const noKey = await createNode(t.dataSource, {
      sort: 13,
      server: '203.0.113.11',
      customConfig: JSON.stringify({
        security: 'reality',
        'reality-opts': {
          'public-key': REALITY_PUBLIC,
          server_names: ['a.example'],
        },
      }),
    });
    const broken = await createNode(t.dataSource, {
      sort: 11,
      customConfig: JSON.stringify({ network: 'quic' }),
    });
    for (const [id, type, text] of [
      [plain.id, 'shadowsocks', 'Shadowsocks 2022'],
      [noKey.id, 'vless', 'private key'],
      [broken.id, 'vmess', 'custom_config.network'],
    ] as const) {
      const res = await agent(t, id, type).get('config');
      expect(res.status).toBe(409);
      expect(res.body.message).toContain(text);
    }
    await agent(t, broken.id, 'vmess').get('user').expect(200);
  });
});
