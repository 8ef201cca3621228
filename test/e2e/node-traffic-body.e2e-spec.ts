import {
  SsNode,
  TrafficReport,
  User,
} from '../../src/database/entities/index.js';
import { createValidationPipe } from '../../src/common/http/validation.pipe.js';
import { SspanelTrafficDto } from '../../src/modules/node-api/dto/traffic-report.dto.js';
import { NodeIdQueryDto } from '../../src/modules/node-api/dto/node-query.dto.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/**
 * `POST /mod_mu/users/traffic` reads its body through SspanelTrafficPipe: a well-formed report
 * is passed on as parsed, everything else through the global ValidationPipe. Each refusal below
 * must answer exactly what the global pipe says of that body (the route's answer before the
 * pipe), change nothing, and a well-formed report is applied as sent.
 */
describe('node API: the SSPanel traffic body (e2e)', () => {
  let t: TestApp;
  let node: SsNode;
  let user: User;

  beforeAll(async () => {
    t = await createTestApp();
    node = await createNode(t.dataSource);
    user = await createNodeUser(t.dataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** What the global pipe makes of `body`: the entries it passes on, or its refusal's message. */
  async function globalPipe(
    body: unknown,
  ): Promise<{ data: SspanelTrafficDto['data'] } | { refused: string }> {
    try {
      const dto = (await createValidationPipe().transform(body, {
        type: 'body',
        metatype: SspanelTrafficDto,
      })) as SspanelTrafficDto;
      return { data: dto.data };
    } catch (err) {
      return { refused: (err as Error).message };
    }
  }

  const reports = () =>
    t.dataSource
      .getRepository(TrafficReport)
      .count({ where: { nodeId: node.id } });
  const counters = async () => {
    const row = await t.dataSource
      .getRepository(User)
      .findOneByOrFail({ id: user.id });
    return [row.u, row.d];
  };
  afterEach(async () => {
    await t.dataSource
      .getRepository(User)
      .update({ id: user.id }, { u: 0, d: 0 });
  });

  it.each([
    [
      'a well-formed report',
      () => `{"data":[{"user_id":${user.id},"u":3,"d":4}]}`,
    ],
    ['an unknown top-level key', () => `{"data":[],"extra":1}`],
    [
      'a __proto__ key at the top',
      () => `{"__proto__":{"x":1},"data":[{"user_id":${user.id},"u":1,"d":2}]}`,
    ],
    [
      'a __proto__ key in an entry',
      () => `{"data":[{"user_id":${user.id},"u":5,"d":6,"__proto__":{"x":1}}]}`,
    ],
    [
      'a nested object in an entry',
      () => `{"data":[{"user_id":${user.id},"u":{"n":1},"d":1}]}`,
    ],
    ['data a string', () => `{"data":"x"}`],
    ['data missing', () => `{}`],
    ['data null', () => `{"data":null}`],
    ['a top-level array', () => `[{"user_id":${user.id},"u":1,"d":1}]`],
  ])('%s: answered as the global pipe decides', async (_, body) => {
    const text = body();
    const expected = await globalPipe(JSON.parse(text));
    const before = await reports();
    const res = await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .set('Content-Type', 'application/json')
      .send(text);
    if ('refused' in expected) {
      expect([res.status, res.body]).toEqual([
        400,
        { ret: 0, msg: expected.refused },
      ]);
      expect(await reports()).toBe(before);
      expect(await counters()).toEqual([0, 0]);
    } else {
      expect([res.status, res.body]).toEqual([200, { ret: 1, msg: 'ok' }]);
      const sum = (k: 'u' | 'd') => expected.data.reduce((n, e) => n + e[k], 0);
      expect(await counters()).toEqual([sum('u'), sum('d')]);
    }
  });

  it('a form body → 400 with the global pipe’s message', async () => {
    const expected = await globalPipe({ data: '1' });
    const res = await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .type('form')
      .send('data=1')
      .expect(400);
    expect(res.body).toEqual({
      ret: 0,
      msg: 'refused' in expected ? expected.refused : 'accepted?',
    });
  });

  it.each([
    ['canonical', (id: number) => `node_id=${id}`],
    ['a leading zero', (id: number) => `node_id=0${id}`],
    ['a fraction', (id: number) => `node_id=${id}.0`],
    ['node_id 0', () => `node_id=0`],
    ['node_id past INT_MAX', () => `node_id=2147483648`],
    ['node_id twice', (id: number) => `node_id=${id}&node_id=${id}`],
    ['node_id missing', () => ``],
    ['an unknown parameter', (id: number) => `node_id=${id}&x=1`],
  ])('query %s: answered as the global pipe decides', async (_, query) => {
    const extra = query(node.id);
    const search = `key=${encodeURIComponent(MU_KEY)}&muKey=${encodeURIComponent(MU_KEY)}${extra ? `&${extra}` : ''}`;
    const res = await t
      .http()
      .post(`/mod_mu/users/traffic?${search}`)
      .send({ data: [{ user_id: user.id, u: 1, d: 1 }] });
    const params = new URLSearchParams(search);
    const parsed = Object.fromEntries(
      [...new Set(params.keys())].map((k) => {
        const all = params.getAll(k);
        return [k, all.length > 1 ? all : all[0]];
      }),
    );
    let refused: string | null = null;
    try {
      await createValidationPipe().transform(parsed, {
        type: 'query',
        metatype: NodeIdQueryDto,
      });
    } catch (err) {
      refused = (err as Error).message;
    }
    if (refused === null)
      expect([res.status, res.body]).toEqual([200, { ret: 1, msg: 'ok' }]);
    else
      expect([res.status, res.body]).toEqual([400, { ret: 0, msg: refused }]);
  });
});
