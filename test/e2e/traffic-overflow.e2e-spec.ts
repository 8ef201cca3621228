import { SsNode, TrafficReport } from '../../src/database/entities/index.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
  muQuery,
} from '../factories/node.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// Traffic counters near and past their range (#14 item 1): what MariaDB rejects with "BIGINT
// value is out of range" and SQLite silently turns into a REAL.
const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const HALF_BIGINT = '4611686018427387904'; // 2^62: u + d of two of them passes BIGINT

describe('traffic counters at the edge of their range (e2e)', () => {
  let t: TestApp;
  let group = 700;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const q = (name: string) => t.dataSource.driver.escape(name);
  /** Writes counters as SQL literals (past 2^53 the entity's number type cannot carry them). */
  const setCounters = (id: number, values: Record<string, string>) =>
    t.dataSource.query(
      `UPDATE ${q('user')} SET ${Object.keys(values)
        .map((k) => `${q(k)} = ${values[k]}`)
        .join(', ')} WHERE ${q('id')} = ?`,
      [id],
    );
  /** The counters as exact decimal strings, and whether SQLite still stores integers. */
  const counters = async (id: number) => {
    const sqlite = t.dataSource.options.type === 'better-sqlite3';
    const text = sqlite ? 'TEXT' : 'CHAR';
    const [row] = await t.dataSource.query<
      { u: string; d: string; tu?: string; td?: string }[]
    >(
      `SELECT CAST(${q('u')} AS ${text}) AS u, CAST(${q('d')} AS ${text}) AS d` +
        (sqlite ? `, typeof(${q('u')}) AS tu, typeof(${q('d')}) AS td` : '') +
        ` FROM ${q('user')} WHERE ${q('id')} = ?`,
      [id],
    );
    return row;
  };
  const postMu = (nodeId: number, data: object[]) =>
    t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(nodeId))
      .send({ data });

  describe('the node lists survive a bad row: that user is left out, the others served', () => {
    it('u + d past BIGINT (MariaDB: out of range) and a counter past 2^53 (not exact in JSON)', async () => {
      const g = ++group;
      const node = await createNode(t.dataSource, { nodeGroup: g });
      const good = await createNodeUser(t.dataSource, { nodeGroup: g });
      const overflow = await createNodeUser(t.dataSource, { nodeGroup: g });
      const inexact = await createNodeUser(t.dataSource, { nodeGroup: g });
      await setCounters(overflow.id, {
        u: HALF_BIGINT,
        d: HALF_BIGINT,
        transfer_enable: '9223372036854775807',
      });
      await setCounters(inexact.id, {
        u: '9007199254740993', // 2^53 + 1
        transfer_enable: '4611686018427387904',
      });

      const mu = await t
        .http()
        .get('/mod_mu/users')
        .query(muQuery(node.id))
        .expect(200);
      expect(mu.body.ret).toBe(1);
      // /mod_mu/users sends no counters: only the row that broke the query is left out.
      expect(mu.body.data.map((u: { id: number }) => u.id)).toEqual([
        good.id,
        inexact.id,
      ]);

      const seed = await t
        .http()
        .get(`${API}/node/users`)
        .query({ node_id: node.id })
        .set({ Key: MU_KEY })
        .expect(200);
      // The seed list sends u: 2^53 + 1 would reach the agent as 2^53, so that user is left out.
      expect(seed.body.data.users.map((u: { id: number }) => u.id)).toEqual([
        good.id,
      ]);
    });
  });

  describe('writes saturate at 2^53 - 1 and stay integers', () => {
    it('a report that would pass 2^53 - 1 leaves the counter at exactly 2^53 - 1', async () => {
      const node = await createNode(t.dataSource);
      const user = await createNodeUser(t.dataSource);
      await setCounters(user.id, {
        u: String(MAX - 10),
        d: String(MAX - 1000),
        transfer_enable: '9223372036854775807',
      });
      const res = await postMu(node.id, [{ user_id: user.id, u: 100, d: 10 }]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ret: 1, msg: 'ok' });
      const row = await counters(user.id);
      expect({ u: row.u, d: row.d }).toEqual({
        u: String(MAX),
        d: String(MAX - 990),
      });
      if (row.tu !== undefined)
        expect([row.tu, row.td]).toEqual(['integer', 'integer']);
    });

    it('a counter next to the BIGINT limit: no 500, no REAL, the other users of the report still billed', async () => {
      const node = await createNode(t.dataSource);
      const near = await createNodeUser(t.dataSource);
      const other = await createNodeUser(t.dataSource);
      await setCounters(near.id, { u: '9223372036854775000' });
      const res = await postMu(node.id, [
        { user_id: near.id, u: 10_000, d: 0 },
        { user_id: other.id, u: 5, d: 6 },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ret: 1, msg: 'ok' });
      const row = await counters(near.id);
      expect(row.u).toBe('9223372036854775000');
      if (row.tu !== undefined) expect(row.tu).toBe('integer');
      expect(await counters(other.id)).toMatchObject({ u: '5', d: '6' });
    });

    it("the node's bandwidth counter saturates too", async () => {
      const node = await createNode(t.dataSource);
      const user = await createNodeUser(t.dataSource);
      await t.dataSource.query(
        `UPDATE ${q('ss_node')} SET ${q('node_bandwidth')} = ${MAX - 5} WHERE ${q('id')} = ?`,
        [node.id],
      );
      await postMu(node.id, [{ user_id: user.id, u: 100, d: 100 }]).expect(200);
      const after = await t.dataSource
        .getRepository(SsNode)
        .findOneByOrFail({ id: node.id });
      expect(after.nodeBandwidth).toBe(MAX);
    });
  });

  describe('one report may add at most 2^53 - 1 bytes: more is a 400 and writes nothing', () => {
    const oversized = (userId: number) => [
      { user_id: userId, u: MAX, d: 0 },
      { user_id: userId, u: MAX, d: 0 },
    ];

    it.each([
      ['/mod_mu/users/traffic (SSPanel)', 'mu'],
      ['/node/traffic (seed)', 'seed'],
    ])('%s', async (_, dialect) => {
      const node = await createNode(t.dataSource);
      const user = await createNodeUser(t.dataSource);
      const reportsBefore = await t.dataSource
        .getRepository(TrafficReport)
        .count();
      const res =
        dialect === 'mu'
          ? await postMu(node.id, oversized(user.id))
          : await t
              .http()
              .post(`${API}/node/traffic`)
              .set({ Key: MU_KEY })
              .send({ node_id: node.id, data: oversized(user.id) });
      expect(res.status).toBe(400);
      expect(res.body.ret).toBe(0);
      expect(res.body.msg).toMatch(/2\^53-1 bytes/);
      expect(await counters(user.id)).toMatchObject({ u: '0', d: '0' });
      const after = await t.dataSource
        .getRepository(SsNode)
        .findOneByOrFail({ id: node.id });
      expect(after.nodeBandwidth).toBe(0);
      expect(await t.dataSource.getRepository(TrafficReport).count()).toBe(
        reportsBefore,
      );
    });
  });
});
