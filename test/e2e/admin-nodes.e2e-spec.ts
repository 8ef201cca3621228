import { DetectList, SsNode } from '../../src/database/entities/index.js';
import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('admin nodes and detect rules (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const validNode = {
    name: 'Tokyo 1',
    server: 'tokyo1.example.com',
    sort: 11,
    traffic_rate: 1.5,
    node_group: 1,
    custom_config: {
      offset_port_node: '443',
      network: 'ws',
      path: '/ray',
      verify_cert: true,
      header: { type: 'none' },
    },
  };

  it('creates a node; XrayR then reads it with its types', async () => {
    const res = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send(validNode)
      .expect(201);
    expect(res.body.data).toMatchObject({
      name: 'Tokyo 1',
      type: 1,
      traffic_rate: 1.5,
      online: false,
      custom_config: validNode.custom_config,
    });
    const info = await t
      .http()
      .get(`/mod_mu/nodes/${res.body.data.id}/info`)
      .query(muQuery());
    expect(info.status).toBe(200);
    expect(info.body.data.custom_config).toMatchObject({
      offset_port_node: '443',
      verify_cert: true,
    });
  });

  it.each([
    [
      'a number where XrayR wants a string',
      { offset_port_node: 443 },
      'custom_config.offset_port_node',
    ],
    [
      'a string where XrayR wants a bool',
      { verify_cert: 'yes' },
      'custom_config.verify_cert',
    ],
    [
      'a string where XrayR wants an object',
      { header: 'none' },
      'custom_config.header',
    ],
  ])(
    'refuses custom_config with %s (400 naming the key), saving nothing',
    async (_case, customConfig, field) => {
      const before = await t.dataSource.getRepository(SsNode).count();
      const res = await t
        .http()
        .post(`${API}/admin/nodes`)
        .set(admin.auth)
        .send({ ...validNode, custom_config: customConfig });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toContain(field);
      expect(await t.dataSource.getRepository(SsNode).count()).toBe(before);
    },
  );

  it('rejects other bad node input with 400', async () => {
    for (const body of [
      { ...validNode, name: '' },
      { ...validNode, sort: 99 },
      { ...validNode, traffic_rate: -1 },
      { ...validNode, custom_config: [1, 2] },
      { ...validNode, unknown: 1 },
      { server: 'x.example.com', sort: 11 },
    ]) {
      await t
        .http()
        .post(`${API}/admin/nodes`)
        .set(admin.auth)
        .send(body)
        .expect(400);
    }
  });

  it('lists nodes with online state from the heartbeat and the live Redis snapshot', async () => {
    const node = await createNode(t.dataSource, { name: 'Live node' });
    await t.http().get('/mod_mu/users').query(muQuery(node.id)).expect(200); // records the heartbeat
    await t
      .http()
      .post(`${API}/node/online`)
      .set('Key', muQuery().key as string)
      .send({ node_id: node.id, online: 7, load: '0.5' })
      .expect(200);
    const list = await t
      .http()
      .get(`${API}/admin/nodes?limit=100`)
      .set(admin.auth)
      .expect(200);
    const row = list.body.data.nodes.find(
      (n: { id: number }) => n.id === node.id,
    );
    expect(row).toMatchObject({
      online: true,
      live: { online: { online: 7 } },
    });
    await t
      .http()
      .get(`${API}/admin/nodes?limit=101`)
      .set(admin.auth)
      .expect(400);
  });

  it('disabling a node empties its list at once (cache invalidated), ret stays 1', async () => {
    const node = await createNode(t.dataSource);
    await createNodeUser(t.dataSource);
    const first = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(node.id))
      .expect(200);
    expect(first.body.data.length).toBeGreaterThan(0);
    await t
      .http()
      .post(`${API}/admin/nodes/${node.id}/disable`)
      .set(admin.auth)
      .expect(200);
    const after = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(node.id))
      .set('If-None-Match', first.headers.etag);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ ret: 1, data: [] });
    expect(
      (
        await t.dataSource
          .getRepository(SsNode)
          .findOneByOrFail({ id: node.id })
      ).type,
    ).toBe(0);
  });

  it('updates a node; 404 for a missing one; nothing-to-update is 400', async () => {
    const node = await createNode(t.dataSource);
    const res = await t
      .http()
      .patch(`${API}/admin/nodes/${node.id}`)
      .set(admin.auth)
      .send({ traffic_rate: 2, node_class: 3 })
      .expect(200);
    expect(res.body.data).toMatchObject({ traffic_rate: 2, node_class: 3 });
    await t
      .http()
      .patch(`${API}/admin/nodes/999999`)
      .set(admin.auth)
      .send({ traffic_rate: 2 })
      .expect(404);
    await t
      .http()
      .patch(`${API}/admin/nodes/${node.id}`)
      .set(admin.auth)
      .send({})
      .expect(400);
  });

  it('detect rules CRUD reaches the agents; invalid regex or type → 400', async () => {
    const created = await t
      .http()
      .post(`${API}/admin/detect-rules`)
      .set(admin.auth)
      .send({
        name: 'BT',
        text: 'BitTorrent',
        regex: '(torrent|announce)',
        type: 1,
      })
      .expect(201);
    const id = created.body.data.id as number;
    const rules = await t
      .http()
      .get('/mod_mu/func/detect_rules')
      .query(muQuery())
      .expect(200);
    expect(rules.body.data).toContainEqual(
      expect.objectContaining({ id, regex: '(torrent|announce)' }),
    );

    await t
      .http()
      .patch(`${API}/admin/detect-rules/${id}`)
      .set(admin.auth)
      .send({ regex: 'magnet:' })
      .expect(200);
    expect(
      (await t.dataSource.getRepository(DetectList).findOneByOrFail({ id }))
        .regex,
    ).toBe('magnet:');
    await t
      .http()
      .post(`${API}/admin/detect-rules`)
      .set(admin.auth)
      .send({ name: 'bad', regex: '(unclosed', type: 1 })
      .expect(400);
    await t
      .http()
      .post(`${API}/admin/detect-rules`)
      .set(admin.auth)
      .send({ name: 'bad', regex: 'x', type: 7 })
      .expect(400);
    await t
      .http()
      .delete(`${API}/admin/detect-rules/${id}`)
      .set(admin.auth)
      .expect(200);
    await t
      .http()
      .delete(`${API}/admin/detect-rules/${id}`)
      .set(admin.auth)
      .expect(404);
  });

  it('shows each node back as the protocol model reads it (seed query form, Hysteria 2 and v1, AnyTLS)', async () => {
    const seed = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send({
        name: 'Seed VMess',
        sort: 11,
        server:
          'add=v1.example.com&port=8443&net=ws&path=/v&host=cdn.example.com&tls=tls',
      })
      .expect(201);
    expect(seed.body.data.protocol).toMatchObject({
      protocol: 'vmess',
      address: 'v1.example.com',
      port: 8443,
      transport: { network: 'ws', path: '/v', host: 'cdn.example.com' },
      security: { type: 'tls' },
    });
    const hy2 = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send({
        name: 'HY2',
        sort: 15,
        server: '2001:db8::10',
        custom_config: {
          offset_port_user: '8443',
          obfs: 'salamander',
          obfs_password: 'p',
        },
      })
      .expect(201);
    expect(hy2.body.data.protocol).toMatchObject({
      protocol: 'hysteria2',
      address: '2001:db8::10',
      port: 8443,
      obfs: { type: 'salamander', password: 'p' },
    });
    expect(hy2.body.data.protocol_problems).toBeNull();
    const hy1 = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send({
        name: 'HY1',
        sort: 15,
        server: 'hy1.example.com',
        custom_config: { version: 1, up_mbps: 50, down_mbps: '200' },
      })
      .expect(201);
    expect(hy1.body.data.protocol).toMatchObject({
      protocol: 'hysteria',
      upMbps: 50,
      downMbps: 200,
      tls: { alpn: ['hysteria'] },
    });
    const anytls = await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(admin.auth)
      .send({
        name: 'AnyTLS',
        sort: 16,
        server: 'at.example.com',
        custom_config: {
          offset_port_node: '8443',
          padding_scheme: 'stop=8\n0=30-30',
        },
      })
      .expect(201);
    expect(anytls.body.data.protocol).toMatchObject({
      protocol: 'anytls',
      port: 8443,
      paddingScheme: ['stop=8', '0=30-30'],
    });
  });

  it.each([
    [
      'Reality without a public key',
      { sort: 13, custom_config: { security: 'reality' } },
      'custom_config.reality-opts',
    ],
    [
      'Vision over ws',
      { sort: 13, custom_config: { network: 'ws', flow: 'xtls-rprx-vision' } },
      'custom_config.flow',
    ],
    [
      'a Shadowsocks 2022 key of the wrong length',
      {
        sort: 1,
        custom_config: {
          method: '2022-blake3-aes-256-gcm',
          server_key: 'YWJj',
        },
      },
      'custom_config.server_key',
    ],
    [
      'Hysteria v1 without its download bandwidth',
      { sort: 15, custom_config: { version: 1, up_mbps: 10 } },
      'custom_config.down_mbps',
    ],
    [
      'Hysteria v1 with Hysteria 2 obfuscation',
      {
        sort: 15,
        custom_config: {
          version: 1,
          up_mbps: 10,
          down_mbps: 10,
          obfs: 'salamander',
          obfs_password: 'x',
        },
      },
      'custom_config.obfs',
    ],
    [
      'a Hysteria version that is neither 1 nor 2',
      { sort: 15, custom_config: { version: 3 } },
      'custom_config.version',
    ],
    [
      'an AnyTLS padding scheme that is not lines of text',
      { sort: 16, custom_config: { padding_scheme: [8, 30] } },
      'custom_config.padding_scheme',
    ],
    ['an unsupported sort (SSR)', { sort: 5 }, 'sort'],
    ['a server that is no host', { server: 'not a host!' }, 'server'],
  ])(
    'refuses %s per protocol (400 naming the field), saving nothing',
    async (_case, patch, field) => {
      const before = await t.dataSource.getRepository(SsNode).count();
      const res = await t
        .http()
        .post(`${API}/admin/nodes`)
        .set(admin.auth)
        .send({ ...validNode, ...patch });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toContain(field);
      expect(await t.dataSource.getRepository(SsNode).count()).toBe(before);
    },
  );

  it('an update is checked against the node it produces; a refused one changes nothing', async () => {
    const node = await createNode(t.dataSource, {
      sort: 14,
      server: 'tj.example.com',
    });
    const res = await t
      .http()
      .patch(`${API}/admin/nodes/${node.id}`)
      .set(admin.auth)
      .send({ sort: 1, custom_config: { server_key: 'short' } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors)).toContain('custom_config.server_key');
    const after = await t.dataSource
      .getRepository(SsNode)
      .findOneByOrFail({ id: node.id });
    expect(after.sort).toBe(14);
  });

  it('a non-admin gets 403', async () => {
    const user = await signUp(t);
    await t.http().get(`${API}/admin/nodes`).set(user.auth).expect(403);
    await t
      .http()
      .post(`${API}/admin/nodes`)
      .set(user.auth)
      .send(validNode)
      .expect(403);
    await t.http().get(`${API}/admin/detect-rules`).set(user.auth).expect(403);
  });
});
