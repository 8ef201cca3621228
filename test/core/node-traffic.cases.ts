import { jest } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { MAX_TRAFFIC_BYTES } from '../../src/modules/node/node.constants.js';
import {
  SsNode,
  TrafficReport,
  User,
  UserTrafficLog,
} from '../../src/database/entities/index.js';
import { NodeUserRepository } from '../../src/modules/node-api/node-user.repository.js';
import { TrafficReportRepository } from '../../src/modules/node-api/traffic-report.repository.js';
import type { SqlSession } from '../../src/database/raw-sql.js';
import { NodeRepository } from '../../src/modules/node/node.repository.js';
import { createNode, createNodeUser } from '../factories/node.factory.js';
import { Core, createCore } from './core-harness.js';

const WINDOW_S = 30;
const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

describe('traffic ingestion (core)', () => {
  let c: Core;

  beforeAll(async () => {
    c = await createCore({ TRAFFIC_DEDUP_WINDOW_S: String(WINDOW_S) });
  });
  afterAll(async () => {
    await c?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    c.metrics.trafficReports.length = 0;
  });

  const counters = async (ids: number[]) =>
    (
      await c.ds
        .getRepository(User)
        .find({ where: ids.map((id) => ({ id })), order: { id: 'ASC' } })
    ).map((r) => [r.u, r.d]);
  const node = (id: number) =>
    c.ds.getRepository(SsNode).findOneByOrFail({ id });
  const lockError = () =>
    new QueryFailedError('UPDATE …', [], {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
    } as unknown as Error);

  it("applies the node's rate per user (summing repeated entries), counts raw bytes on the node, stamps t", async () => {
    const n = await createNode(c.ds, { trafficRate: 1.5 });
    const [a, b] = [await createNodeUser(c.ds), await createNodeUser(c.ds)];
    const outcome = await c.traffic.ingest(
      n.id,
      [
        { user_id: b.id, u: 1, d: 3 },
        { user_id: a.id, u: 100, d: 200 },
        { user_id: b.id, u: 2, d: 0 },
      ],
      T0,
    );
    expect(outcome).toEqual({
      nodeId: n.id,
      updated: 2,
      skipped: 0,
      rawBytes: 306,
      duplicate: false,
    });
    // b: u 3 × 1.5 = 4.5 → 5 (half away from zero), d 3 × 1.5 = 4.5 → 5
    expect(await counters([a.id, b.id])).toEqual([
      [150, 300],
      [5, 5],
    ]);
    expect(
      (await c.ds.getRepository(User).findOneByOrFail({ id: a.id })).t,
    ).toBe(unix(T0));
    expect(await node(n.id)).toMatchObject({
      nodeBandwidth: 306,
      nodeHeartbeat: unix(T0),
    });
    expect(c.metrics.trafficReports).toEqual([[306, false]]);
  });

  it('adds to what the counters hold', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds, { u: 1000, d: 2000 });
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 2 }], T0);
    expect(await counters([a.id])).toEqual([[1001, 2002]]);
  });

  it('an identical body within the window is acknowledged, not applied; from the window on it counts again', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    const data = [{ user_id: a.id, u: 10, d: 20 }];
    await c.traffic.ingest(n.id, data, T0);
    const dup = await c.traffic.ingest(n.id, data, at(WINDOW_S - 1));
    expect(dup).toEqual({
      nodeId: n.id,
      updated: 0,
      skipped: 0,
      rawBytes: 30,
      duplicate: true,
    });
    expect(await counters([a.id])).toEqual([[10, 20]]);
    expect((await node(n.id)).nodeBandwidth).toBe(30);
    // Another node's identical body is its own report.
    const other = await createNode(c.ds);
    expect((await c.traffic.ingest(other.id, data, at(1))).duplicate).toBe(
      false,
    );
    expect(await counters([a.id])).toEqual([[20, 40]]);

    const again = await c.traffic.ingest(n.id, data, at(WINDOW_S));
    expect(again.duplicate).toBe(false);
    expect(await counters([a.id])).toEqual([[30, 60]]);
    expect(
      await c.ds.getRepository(TrafficReport).findBy({ nodeId: n.id }),
    ).toEqual([expect.objectContaining({ receivedAt: unix(at(WINDOW_S)) })]);
    expect(c.metrics.trafficReports).toEqual([
      [30, false],
      [30, true],
      [30, false],
      [30, false],
    ]);
  });

  it('a different body is a different report', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 1 }], T0);
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 2 }], T0);
    expect(await counters([a.id])).toEqual([[2, 3]]);
  });

  it('a deleted user is skipped and counted; the others are credited', async () => {
    const n = await createNode(c.ds);
    const [a, gone] = [await createNodeUser(c.ds), await createNodeUser(c.ds)];
    await c.ds.getRepository(User).delete({ id: gone.id });
    expect(
      await c.traffic.ingest(
        n.id,
        [
          { user_id: gone.id, u: 5, d: 5 },
          { user_id: a.id, u: 1, d: 1 },
        ],
        T0,
      ),
    ).toMatchObject({ updated: 1, skipped: 1, rawBytes: 12 });
  });

  it('a report of zeros writes only the heartbeat', async () => {
    const n = await createNode(c.ds, { nodeHeartbeat: 0 });
    const a = await createNodeUser(c.ds);
    expect(
      await c.traffic.ingest(n.id, [{ user_id: a.id, u: 0, d: 0 }], T0),
    ).toEqual({
      nodeId: n.id,
      updated: 0,
      skipped: 0,
      rawBytes: 0,
      duplicate: false,
    });
    expect(await node(n.id)).toMatchObject({
      nodeHeartbeat: unix(T0),
      nodeBandwidth: 0,
    });
    expect(
      await c.ds.getRepository(TrafficReport).countBy({ nodeId: n.id }),
    ).toBe(0);
    expect(c.metrics.trafficReports).toEqual([[0, false]]);
  });

  it('an unknown node is NODE_NOT_FOUND and nothing is written', async () => {
    const a = await createNodeUser(c.ds);
    await expect(
      c.traffic.ingest(999_999, [{ user_id: a.id, u: 1, d: 1 }], T0),
    ).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    expect(await counters([a.id])).toEqual([[0, 0]]);
    expect(c.metrics.trafficReports).toEqual([]);
  });

  it('saturates at MAX_TRAFFIC_BYTES instead of overflowing a counter', async () => {
    const n = await createNode(c.ds, { trafficRate: 4 });
    const a = await createNodeUser(c.ds, { u: MAX_TRAFFIC_BYTES - 10 });
    await c.traffic.ingest(
      n.id,
      [{ user_id: a.id, u: MAX_TRAFFIC_BYTES / 2, d: 7 }],
      T0,
    );
    expect(await counters([a.id])).toEqual([[MAX_TRAFFIC_BYTES, 28]]);
  });

  it('a failure midway rolls the whole report back; its re-send then counts once', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    const data = [{ user_id: a.id, u: 100, d: 200 }];
    jest
      .spyOn(NodeRepository.prototype, 'addBandwidth')
      .mockRejectedValueOnce(new Error('injected failure'));
    await expect(c.traffic.ingest(n.id, data, T0)).rejects.toThrow(
      'injected failure',
    );
    expect(await counters([a.id])).toEqual([[0, 0]]);
    expect(
      await c.ds.getRepository(TrafficReport).countBy({ nodeId: n.id }),
    ).toBe(0);
    expect(c.metrics.trafficReports).toEqual([]);
    await c.traffic.ingest(n.id, data, at(1));
    expect(await counters([a.id])).toEqual([[100, 200]]);
  });

  it('a report that loses a lock race is rerun whole (five attempts in all), then gives up', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    const spy = jest.spyOn(NodeUserRepository.prototype, 'addTraffic');
    for (let i = 0; i < 4; i++) spy.mockRejectedValueOnce(lockError());
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 1 }], T0);
    expect(spy).toHaveBeenCalledTimes(5);
    expect(await counters([a.id])).toEqual([[1, 1]]);

    spy.mockReset();
    for (let i = 0; i < 5; i++) spy.mockRejectedValueOnce(lockError());
    await expect(
      c.traffic.ingest(n.id, [{ user_id: a.id, u: 2, d: 2 }], T0),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(spy).toHaveBeenCalledTimes(5);
    expect(await counters([a.id])).toEqual([[1, 1]]);
  });

  it('bills only the users the node may serve (its group, 0 = every group; class at least its class); the others are skipped, untouched', async () => {
    const n = await createNode(c.ds, { nodeGroup: 3, nodeClass: 2 });
    const [atClass, above, otherGroup, below] = [
      await createNodeUser(c.ds, { nodeGroup: 3, classLevel: 2 }),
      await createNodeUser(c.ds, { nodeGroup: 3, classLevel: 5 }),
      await createNodeUser(c.ds, { nodeGroup: 4, classLevel: 5 }),
      await createNodeUser(c.ds, { nodeGroup: 3, classLevel: 1 }),
    ];
    const ids = [atClass.id, above.id, otherGroup.id, below.id];
    const outcome = await c.traffic.ingest(
      n.id,
      ids.map((id) => ({ user_id: id, u: 1, d: 2 })),
      T0,
    );
    expect(outcome).toMatchObject({ updated: 2, skipped: 2, rawBytes: 12 });
    expect(await counters(ids)).toEqual([
      [1, 2],
      [1, 2],
      [0, 0],
      [0, 0],
    ]);
    // The node's counter takes every reported byte (what it carried), billed or not.
    expect((await node(n.id)).nodeBandwidth).toBe(12);
    const everyGroup = await createNode(c.ds, { nodeGroup: 0, nodeClass: 0 });
    expect(
      await c.traffic.ingest(
        everyGroup.id,
        ids.map((id) => ({ user_id: id, u: 1, d: 1 })),
        T0,
      ),
    ).toMatchObject({ updated: 4, skipped: 0 });
  });

  it('a lock error on the claim itself reruns the report; it is not taken for a duplicate', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    let failed = 0;
    // The claim's INSERT fails once with a lock error, on whichever session runs it (TypeORM's
    // on SQLite, the pool connection's on MySQL): the repository must not read it as a repeat.
    // eslint-disable-next-line typescript/unbound-method -- called below with its own `this`
    const claim = TrafficReportRepository.prototype.claimTrafficReport;
    jest
      .spyOn(TrafficReportRepository.prototype, 'claimTrafficReport')
      .mockImplementation(function (
        this: TrafficReportRepository,
        session: SqlSession,
        ...rest
      ) {
        const failing: SqlSession = {
          ...session,
          query: (q) => {
            if (failed === 0 && /^INSERT INTO .traffic_report/.test(q.sql)) {
              failed++;
              return Promise.reject(lockError());
            }
            return session.query(q);
          },
        };
        return claim.call(this, failing, ...rest);
      });
    const outcome = await c.traffic.ingest(
      n.id,
      [{ user_id: a.id, u: 3, d: 4 }],
      T0,
    );
    expect(failed).toBe(1);
    expect(outcome).toMatchObject({ updated: 1, duplicate: false });
    expect(await counters([a.id])).toEqual([[3, 4]]);
  });

  it('a report is also the heartbeat: a report of zeros right after writes none', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 1 }], T0);
    const touch = jest.spyOn(NodeRepository.prototype, 'touchHeartbeat');
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 0, d: 0 }], at(1));
    expect(touch).not.toHaveBeenCalled();
  });

  it("saturates the node's counter too, and leaves a counter already past the cap as it is", async () => {
    const n = await createNode(c.ds, { nodeBandwidth: MAX_TRAFFIC_BYTES - 5 });
    const a = await createNodeUser(c.ds);
    // 2^53 + 1000: past MAX_TRAFFIC_BYTES, written as an SQL literal (exact in BIGINT/INTEGER)
    await c.ds.query('UPDATE user SET d = 9007199254741992 WHERE id = ?', [
      a.id,
    ]);
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 10, d: 10 }], T0);
    expect((await node(n.id)).nodeBandwidth).toBe(MAX_TRAFFIC_BYTES);
    const [row] = await c.ds.query<{ same: number; u: number }[]>(
      'SELECT d = 9007199254741992 AS same, u FROM user WHERE id = ?',
      [a.id],
    );
    expect([Number(row.same), Number(row.u)]).toEqual([1, 10]);
  });

  it('no traffic log rows unless TRAFFIC_LOG is on', async () => {
    const n = await createNode(c.ds);
    const a = await createNodeUser(c.ds);
    await c.traffic.ingest(n.id, [{ user_id: a.id, u: 1, d: 1 }], T0);
    expect(
      await c.ds.getRepository(UserTrafficLog).countBy({ nodeId: n.id }),
    ).toBe(0);
  });
});

describe('traffic ingestion (core, TRAFFIC_LOG=true)', () => {
  let c: Core;

  beforeAll(async () => {
    c = await createCore({ TRAFFIC_LOG: 'true' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('logs one row per known user: raw bytes, the rate and the rated amount in words', async () => {
    const n = await createNode(c.ds, { trafficRate: 2 });
    const [a, b, gone] = [
      await createNodeUser(c.ds),
      await createNodeUser(c.ds),
      await createNodeUser(c.ds),
    ];
    await c.ds.getRepository(User).delete({ id: gone.id });
    await c.traffic.ingest(
      n.id,
      [
        { user_id: a.id, u: 512, d: 256 },
        { user_id: gone.id, u: 1, d: 1 },
        { user_id: b.id, u: 1024 ** 3, d: 1024 ** 3 / 2 },
      ],
      T0,
    );
    const rows = await c.ds
      .getRepository(UserTrafficLog)
      .find({ where: { nodeId: n.id }, order: { userId: 'ASC' } });
    expect(rows.map(({ id: _id, ...r }) => r)).toEqual([
      {
        userId: a.id,
        u: 512,
        d: 256,
        nodeId: n.id,
        rate: 2,
        traffic: '1.5KB',
        logTime: unix(T0),
      },
      {
        userId: b.id,
        u: 1024 ** 3,
        d: 1024 ** 3 / 2,
        nodeId: n.id,
        rate: 2,
        traffic: '3GB',
        logTime: unix(T0),
      },
    ]);
  });

  it("logs nobody outside the node's scope", async () => {
    const n = await createNode(c.ds, { nodeGroup: 5, nodeClass: 1 });
    const [served, otherGroup, lowClass] = [
      await createNodeUser(c.ds, { nodeGroup: 5, classLevel: 1 }),
      await createNodeUser(c.ds, { nodeGroup: 6, classLevel: 1 }),
      await createNodeUser(c.ds, { nodeGroup: 5, classLevel: 0 }),
    ];
    await c.traffic.ingest(
      n.id,
      [served, otherGroup, lowClass].map((u) => ({
        user_id: u.id,
        u: 1,
        d: 1,
      })),
      T0,
    );
    expect(
      (await c.ds.getRepository(UserTrafficLog).findBy({ nodeId: n.id })).map(
        (r) => r.userId,
      ),
    ).toEqual([served.id]);
  });

  it('a report naming only deleted users logs nothing', async () => {
    const n = await createNode(c.ds);
    const gone = await createNodeUser(c.ds);
    await c.ds.getRepository(User).delete({ id: gone.id });
    await c.traffic.ingest(n.id, [{ user_id: gone.id, u: 1, d: 1 }], T0);
    expect(
      await c.ds.getRepository(UserTrafficLog).countBy({ nodeId: n.id }),
    ).toBe(0);
  });
});
