import { createHash } from 'node:crypto';
import { unpack } from 'msgpackr';
import {
  AliveIp,
  SsNode,
  TrafficReport,
  User,
} from '../../src/database/entities/index.js';
import { NodeStateService } from '../../src/modules/node/node-state.service.js';
import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import { goDecodeErrors } from '../utils/go-json.js';
import { createTestApp, TestApp } from '../utils/test-app.js';
import {
  agent,
  agentQuery,
  UNIPROXY,
  V2BX_ALIVE,
  V2BX_USERS,
} from '../utils/uniproxy-agents.js';
import { itOnMysql } from '../utils/modes.js';

const TROJAN = {
  sort: 14,
  server: 'tj.example.com',
  customConfig: JSON.stringify({ offset_port_node: '443' }),
};

describe('node API: UniProxy reports — push, alive, alivelist, status, msgpack (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const userRow = (id: number) =>
    t.dataSource.getRepository(User).findOneByOrFail({ id });
  const reports = (nodeId: number) =>
    t.dataSource.getRepository(TrafficReport).count({ where: { nodeId } });
  const rawPush = (nodeId: number, body: string, contentType?: string) => {
    const req = t
      .http()
      .post(`${UNIPROXY}/push`)
      .query(agentQuery(nodeId, 'trojan'));
    if (contentType !== undefined) req.set('Content-Type', contentType);
    return req.send(body);
  };

  it('push is parsed from the raw body whatever the Content-Type, and applied once each', async () => {
    const node = await createNode(t.dataSource, TROJAN);
    const dave = await createNodeUser(t.dataSource);
    const types = [
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
    ];
    for (const [i, type] of types.entries()) {
      const res = await rawPush(
        node.id,
        JSON.stringify({ [dave.id]: [i + 1, 10 * (i + 1)] }),
        type,
      );
      expect({ type, status: res.status, body: res.body }).toEqual({
        type,
        status: 200,
        body: { data: true },
      });
    }
    // And with no Content-Type at all.
    const bare = await t
      .http()
      .post(`${UNIPROXY}/push`)
      .query(agentQuery(node.id, 'trojan'))
      .unset('Content-Type')
      .send(Buffer.from(JSON.stringify({ [dave.id]: [100, 1000] })));
    expect(bare.status).toBe(200);
    const n = types.length;
    expect(await userRow(dave.id)).toMatchObject({
      u: (n * (n + 1)) / 2 + 100,
      d: (10 * n * (n + 1)) / 2 + 1000,
    });
  });

  it('malformed entries (negative, fractional, string bytes or ids, wrong arity) are ignored and the rest applied; unknown users skipped', async () => {
    const node = await createNode(t.dataSource, {
      ...TROJAN,
      trafficRate: 0.5,
    });
    const erin = await createNodeUser(t.dataSource);
    const frank = await createNodeUser(t.dataSource);
    const body = {
      [erin.id]: [400, 800],
      [frank.id]: [-1, 5],
      abc: [1, 1],
      '0': [1, 1],
      [`0${frank.id}`]: [1, 1],
      '999999': [1, 1],
      '12.5': [1, 1],
      '77': [1.5, 2],
      '78': ['1', 2],
      '79': [1, 2, 3],
      '80': { u: 1, d: 2 },
      '81': null,
    };
    await agent(t, node.id, 'trojan')
      .post('push', body)
      .expect(200, { data: true });
    expect(await userRow(erin.id)).toMatchObject({ u: 200, d: 400 });
    expect(await userRow(frank.id)).toMatchObject({ u: 0, d: 0 });
    // Raw bytes of the applied entries only (unknown 999999 counted in, as /mod_mu does).
    const row = await t.dataSource
      .getRepository(SsNode)
      .findOneByOrFail({ id: node.id });
    expect(row.nodeBandwidth).toBe(400 + 800 + 2);
  });

  it('a push that is not a JSON object is a 400 {"message"} and writes nothing; an empty push is acknowledged', async () => {
    const node = await createNode(t.dataSource, TROJAN);
    const gina = await createNodeUser(t.dataSource);
    for (const body of [
      'not json',
      `{"${gina.id}": [1, 2]`,
      `[[${gina.id}, 1, 2]]`,
      '"text"',
      '42',
      'null',
    ]) {
      const res = await rawPush(node.id, body, 'application/json');
      expect({ body, status: res.status, keys: Object.keys(res.body) }).toEqual(
        {
          body,
          status: 400,
          keys: ['message'],
        },
      );
    }
    expect(await userRow(gina.id)).toMatchObject({ u: 0, d: 0 });
    expect(await reports(node.id)).toBe(0);
    for (const body of ['', '{}', '[]'])
      await rawPush(node.id, body, 'application/json').expect(200, {
        data: true,
      });
  });

  itOnMysql(
    '32 concurrent reporters × 50 pushes, mixed with /mod_mu reports for the same users: exact sums, nothing lost or doubled',
    async () => {
      const node = await createNode(t.dataSource, {
        ...TROJAN,
        trafficRate: 1.5,
      });
      const people = await Promise.all(
        Array.from({ length: 12 }, () => createNodeUser(t.dataSource)),
      );
      const REPORTERS = 32;
      const PUSHES = 50;
      const expected = new Map(people.map((p) => [p.id, { u: 0, d: 0 }]));
      const jobs: (() => Promise<void>)[] = [];
      for (let r = 0; r < REPORTERS; r++) {
        const bodies: {
          uniproxy: boolean;
          data: [number, number, number][];
        }[] = [];
        for (let k = 0; k < PUSHES; k++) {
          // Every body differs (no dedup); even byte counts keep ×1.5 exact. Every fourth
          // reporter speaks /mod_mu for the same users and node.
          const seq = r * PUSHES + k + 1;
          const data = people.map(
            (p, i) =>
              [p.id, 2 * seq, 2 * (i + 1) * seq] as [number, number, number],
          );
          bodies.push({ uniproxy: r % 4 !== 0, data });
          for (const [id, u, d] of data) {
            const sum = expected.get(id)!;
            sum.u += u * 1.5;
            sum.d += d * 1.5;
          }
        }
        jobs.push(async () => {
          for (const { uniproxy, data } of bodies) {
            const res = uniproxy
              ? await agent(t, node.id, 'trojan').post(
                  'push',
                  Object.fromEntries(data.map(([id, u, d]) => [id, [u, d]])),
                )
              : await t
                  .http()
                  .post('/mod_mu/users/traffic')
                  .query(muQuery(node.id))
                  .send({
                    data: data.map(([user_id, u, d]) => ({ user_id, u, d })),
                  });
            expect(res.status).toBe(200);
          }
        });
      }
      await Promise.all(jobs.map((job) => job()));
      for (const p of people) {
        const row = await userRow(p.id);
        expect({ id: p.id, u: row.u, d: row.d }).toEqual({
          id: p.id,
          ...expected.get(p.id),
        });
      }
      expect(await reports(node.id)).toBe(REPORTERS * PUSHES);
    },
    240_000,
  );

  it('alive: ip, ip:port, [v6]:port and ip_suffix go into alive_ip as bare IPs; garbage ignored; alivelist counts device-limited users only', async () => {
    const node = await createNode(t.dataSource, TROJAN);
    const other = await createNode(t.dataSource, TROJAN);
    const limited = await createNodeUser(t.dataSource, { nodeConnector: 2 });
    const unlimited = await createNodeUser(t.dataSource);
    const v2bx = agent(t, node.id, 'trojan');
    await v2bx
      .post('alive', {
        [limited.id]: [
          '198.51.100.1',
          '198.51.100.1:40000',
          '198.51.100.2_3',
          '[2001:db8::1]:443',
          '2001:db8::2',
          'not-an-ip',
          42,
        ],
        [unlimited.id]: ['192.0.2.9'],
        nope: ['192.0.2.10'],
        [String(limited.id + 1000)]: 'x',
      })
      .expect(200, { data: true });
    // The same user seen on another node counts across nodes (V2Board counts all its nodes).
    await agent(t, other.id, 'trojan')
      .post('alive', { [limited.id]: ['203.0.113.50'] })
      .expect(200);
    const rows = await t.dataSource
      .getRepository(AliveIp)
      .find({ where: { nodeid: node.id }, order: { ip: 'ASC' } });
    expect(rows.map((r) => `${r.userid}@${r.ip}`).sort()).toEqual(
      [
        `${limited.id}@198.51.100.1`,
        `${limited.id}@198.51.100.2`,
        `${limited.id}@2001:db8::1`,
        `${limited.id}@2001:db8::2`,
        `${unlimited.id}@192.0.2.9`,
      ].sort(),
    );
    expect(
      (
        await t.dataSource
          .getRepository(SsNode)
          .findOneByOrFail({ id: node.id })
      ).nodeOnline,
    ).toBe(2);
    const list = await v2bx.get('alivelist').expect(200);
    expect(goDecodeErrors(list.body, V2BX_ALIVE)).toEqual([]);
    expect(list.body).toEqual({ alive: { [limited.id]: 5 } });
    // An empty alive report is acknowledged too.
    await v2bx.post('alive', {}).expect(200, { data: true });
  });

  it('status is stored as the node load (live stats); a malformed one is a 400 {"message"}', async () => {
    const node = await createNode(t.dataSource, TROJAN);
    const status = {
      cpu: 12.5,
      mem: { total: 8_000_000_000, used: 2_000_000_000 },
      swap: { total: 0, used: 0 },
      disk: { total: 100, used: 40 },
    };
    await agent(t, node.id, 'trojan')
      .post('status', status)
      .expect(200, { data: true });
    const live = await t.app.get(NodeStateService).liveState(node.id);
    expect(live.stats).toMatchObject({ cpu_load: 12.5, memory_usage: 25 });
    for (const bad of [
      { ...status, cpu: 101 },
      { ...status, cpu: '12' },
      { ...status, mem: { total: -1, used: 0 } },
      { cpu: 1 },
    ]) {
      const res = await agent(t, node.id, 'trojan').post('status', bad);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['message']);
    }
  });

  it('msgpack on request (X-Response-Format: msgpack): the same list, ints as ints, its own ETag over the packed bytes, 304 with it', async () => {
    // wyx2685/V2bX api/panel/user.go: sends the header, decodes with vmihailenco/msgpack when
    // the Content-Type contains application/x-msgpack; wyx2685/v2board tags the packed bytes.
    const node = await createNode(t.dataSource, {
      ...TROJAN,
      nodeSpeedlimit: 10,
    });
    const hank = await createNodeUser(t.dataSource, { nodeConnector: 4 });
    const v2bx = agent(t, node.id, 'trojan');
    const json = await v2bx.get('user').expect(200);
    const packed = await v2bx
      .get('user')
      .set('X-Response-Format', 'msgpack')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(packed.headers['content-type']).toBe('application/x-msgpack');
    const bytes = packed.body as Buffer;
    const decoded = unpack(bytes) as { users: Record<string, unknown>[] };
    expect(decoded).toEqual(json.body);
    expect(goDecodeErrors(decoded, V2BX_USERS)).toEqual([]);
    expect(decoded.users).toContainEqual({
      id: hank.id,
      uuid: hank.uuid,
      speed_limit: 10,
      device_limit: 4,
    });
    // A plain one-key fixmap, not a msgpackr record extension (0xd4…): the users fixmaps too.
    expect(bytes[0]).toBe(0x81);
    expect(bytes.includes(0x84)).toBe(true);
    const etag = packed.headers.etag as string;
    expect(etag).toBe(`"${createHash('sha1').update(bytes).digest('hex')}"`);
    expect(etag).not.toBe(json.headers.etag);
    await v2bx
      .get('user')
      .set('X-Response-Format', 'msgpack')
      .set('If-None-Match', etag)
      .expect(304);
  });
});
