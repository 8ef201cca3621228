import { jest } from '@jest/globals';
import type { EntitySubscriberInterface } from 'typeorm';
import {
  SsNode,
  TrafficReport,
  User,
  UserTrafficLog,
} from '../../src/database/entities/index.js';
import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import { NodeRepository } from '../../src/modules/node/node.repository.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itOnMysql } from '../utils/modes.js';

type Entry = { user_id: number; u: number; d: number };

type Done = (err: Error | null, conn: object & { release(): void }) => void;

/**
 * The statements sent to the database while `run` runs. On MySQL, counted at mysql2's connection
 * `query` (the hot paths' raw pool statements never reach TypeORM's subscribers; TypeORM's own
 * go through it too); on SQLite, TypeORM's afterQuery.
 */
async function statementsDuring(
  t: TestApp,
  run: () => Promise<void>,
): Promise<number> {
  let n = 0;
  const pool = (
    t.dataSource.driver as { pool?: { getConnection(done: Done): void } }
  ).pool;
  if (!pool) {
    const counter: EntitySubscriberInterface = { afterQuery: () => void n++ };
    t.dataSource.subscribers.push(counter);
    try {
      await run();
    } finally {
      t.dataSource.subscribers.splice(
        t.dataSource.subscribers.indexOf(counter),
        1,
      );
    }
    return n;
  }
  const conn = await new Promise<object & { release(): void }>((ok, fail) =>
    pool.getConnection((err, c) => (err ? fail(err) : ok(c))),
  );
  let owner: object | null = conn;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, 'query'))
    owner = Object.getPrototypeOf(owner) as object | null;
  conn.release();
  if (!owner) throw new Error("no query method on mysql2's connection");
  // Called through: the spy only counts.
  const spy = jest.spyOn(
    owner as { query: (...args: unknown[]) => unknown },
    'query',
  );
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('node API: traffic ingestion (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (nodeId: number, data: Entry[]) =>
    t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(nodeId))
      .send({ data });
  const users = (ids: number[]) =>
    t.dataSource
      .getRepository(User)
      .find({ where: ids.map((id) => ({ id })), order: { id: 'ASC' } });
  const bandwidth = async (nodeId: number) =>
    (await t.dataSource.getRepository(SsNode).findOneByOrFail({ id: nodeId }))
      .nodeBandwidth;

  itOnMysql(
    '32 concurrent reporters × 50 reports: exact sums with the rate applied, raw bytes to the node',
    async () => {
      const node = await createNode(t.dataSource, { trafficRate: 1.5 });
      const people = await Promise.all(
        Array.from({ length: 12 }, () => createNodeUser(t.dataSource)),
      );
      const REPORTERS = 32;
      const REPORTS = 50;
      const expected = new Map(people.map((p) => [p.id, { u: 0, d: 0 }]));
      let raw = 0;
      const bodies: Entry[][][] = [];
      for (let r = 0; r < REPORTERS; r++) {
        bodies.push([]);
        for (let k = 0; k < REPORTS; k++) {
          // Every body differs (no dedup), even byte counts keep ×1.5 exact.
          const seq = r * REPORTS + k + 1;
          const data = people.map((p, i) => ({
            user_id: p.id,
            u: 2 * seq,
            d: 2 * (i + 1) * seq,
          }));
          bodies[r].push(data);
          for (const e of data) {
            const sum = expected.get(e.user_id)!;
            sum.u += e.u * 1.5;
            sum.d += e.d * 1.5;
            raw += e.u + e.d;
          }
        }
      }
      await Promise.all(
        bodies.map(async (reports) => {
          for (const data of reports) {
            const res = await post(node.id, data);
            expect(res.status).toBe(200);
            expect(res.body).toEqual({ ret: 1, msg: 'ok' });
          }
        }),
      );
      for (const row of await users(people.map((p) => p.id))) {
        expect({ id: row.id, u: row.u, d: row.d }).toEqual({
          id: row.id,
          ...expected.get(row.id),
        });
      }
      expect(await bandwidth(node.id)).toBe(raw);
      expect(
        await t.dataSource
          .getRepository(TrafficReport)
          .count({ where: { nodeId: node.id } }),
      ).toBe(REPORTERS * REPORTS);
    },
    180_000,
  );

  it('an identical re-send (also concurrent) is acknowledged and not applied; after the window it counts again', async () => {
    const node = await createNode(t.dataSource);
    const a = await createNodeUser(t.dataSource);
    const data = [{ user_id: a.id, u: 10, d: 20 }];
    await post(node.id, data).expect(200, { ret: 1, msg: 'ok' });
    await post(node.id, data).expect(200, { ret: 1, msg: 'ok' });
    const resends = await Promise.all(
      Array.from({ length: 5 }, () => post(node.id, data)),
    );
    for (const res of resends) expect(res.body).toEqual({ ret: 1, msg: 'ok' });
    let [row] = await users([a.id]);
    expect([row.u, row.d]).toEqual([10, 20]);
    expect(await bandwidth(node.id)).toBe(30);

    // The same deltas from another node are another report.
    const other = await createNode(t.dataSource);
    await post(other.id, data).expect(200);
    [row] = await users([a.id]);
    expect([row.u, row.d]).toEqual([20, 40]);

    // Older than TRAFFIC_DEDUP_WINDOW_S (30 s): identical deltas are new traffic.
    await t.dataSource
      .getRepository(TrafficReport)
      .update(
        { nodeId: node.id },
        { receivedAt: Math.floor(Date.now() / 1000) - 31 },
      );
    await post(node.id, data).expect(200);
    [row] = await users([a.id]);
    expect([row.u, row.d]).toEqual([30, 60]);
    expect(await bandwidth(node.id)).toBe(60);
  });

  it('a report failing midway leaves nothing applied, and its re-send then counts once', async () => {
    const node = await createNode(t.dataSource);
    const [a, b] = [
      await createNodeUser(t.dataSource),
      await createNodeUser(t.dataSource),
    ];
    const data = [
      { user_id: a.id, u: 100, d: 200 },
      { user_id: b.id, u: 300, d: 400 },
    ];
    // After the claim and the users' increments, before the node's bandwidth.
    const fail = jest
      .spyOn(t.app.get(NodeRepository), 'addBandwidth')
      .mockRejectedValueOnce(new Error('injected failure'));
    await post(node.id, data).expect(500);
    expect(fail).toHaveBeenCalledTimes(1);
    expect((await users([a.id, b.id])).map((r) => [r.u, r.d])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await bandwidth(node.id)).toBe(0);
    expect(
      await t.dataSource
        .getRepository(TrafficReport)
        .countBy({ nodeId: node.id }),
    ).toBe(0);

    // The agent resends the failed report: applied once, not refused as a duplicate.
    await post(node.id, data).expect(200, { ret: 1, msg: 'ok' });
    expect((await users([a.id, b.id])).map((r) => [r.u, r.d])).toEqual([
      [100, 200],
      [300, 400],
    ]);
    expect(await bandwidth(node.id)).toBe(1000);
  });

  it('a report naming a deleted user still credits the others and counts the skip', async () => {
    const node = await createNode(t.dataSource);
    const a = await createNodeUser(t.dataSource);
    const gone = await createNodeUser(t.dataSource);
    const b = await createNodeUser(t.dataSource);
    await t.dataSource.getRepository(User).delete({ id: gone.id });
    const res = await t
      .http()
      .post(`${API}/node/traffic`)
      .set('Key', muQuery().key as string)
      .send({
        node_id: node.id,
        data: [
          { user_id: a.id, u: 1, d: 2 },
          { user_id: gone.id, u: 100, d: 100 },
          { user_id: b.id, u: 3, d: 4 },
          { user_id: a.id, u: 10, d: 20 },
        ],
      })
      .expect(200);
    expect(res.body).toEqual({
      ret: 1,
      msg: 'Traffic reported',
      data: {
        updated_count: 2,
        skipped_count: 1,
        duplicate: false,
        node_id: node.id,
        total_traffic: 240,
      },
    });
    const rows = await users([a.id, b.id]);
    expect(rows.map((r) => [r.u, r.d])).toEqual([
      [11, 22],
      [3, 4],
    ]);
    const again = await t
      .http()
      .post(`${API}/node/traffic`)
      .set('Key', muQuery().key as string)
      .send({ node_id: node.id, data: [{ user_id: gone.id, u: 1, d: 1 }] })
      .expect(200);
    expect(again.body.data).toMatchObject({
      updated_count: 0,
      skipped_count: 1,
    });
  });

  it('applies a report in a constant number of statements (1,000 users per UPDATE)', async () => {
    const node = await createNode(t.dataSource);
    const a = await createNodeUser(t.dataSource);
    const count = (data: Entry[]): Promise<number> =>
      statementsDuring(t, async () => {
        await post(node.id, data).expect(200, { ret: 1, msg: 'ok' });
      });
    // Unknown ids beyond `a` are skipped, but still go through the chunked UPDATEs.
    const report = (size: number, salt: number): Entry[] => [
      { user_id: a.id, u: salt, d: 1 },
      ...Array.from({ length: size - 1 }, (_, i) => ({
        user_id: 100_000 + i,
        u: 1,
        d: 1,
      })),
    ];
    const small = await count(report(10, 1));
    const large = await count(report(10_000, 2));
    expect(large - small).toBe(9);
    expect(large).toBeLessThanOrEqual(20);
    const [row] = await users([a.id]);
    expect([row.u, row.d]).toEqual([3, 2]);
  });
});

describe('node API: traffic log (TRAFFIC_LOG=true, e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRAFFIC_LOG: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes one user_traffic_log row per known user and report', async () => {
    const node = await createNode(t.dataSource, { trafficRate: 2 });
    const a = await createNodeUser(t.dataSource);
    await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .send({
        data: [
          { user_id: a.id, u: 1024, d: 512 },
          { user_id: 987_654, u: 1, d: 1 },
        ],
      })
      .expect(200, { ret: 1, msg: 'ok' });
    const logs = await t.dataSource.getRepository(UserTrafficLog).find();
    expect(logs).toEqual([
      expect.objectContaining({
        userId: a.id,
        nodeId: node.id,
        u: 1024,
        d: 512,
        rate: 2,
        traffic: '3KB',
      }),
    ]);
  });
});
