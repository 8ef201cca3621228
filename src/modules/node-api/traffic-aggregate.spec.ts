import { MAX_TRAFFIC_BYTES } from '../node/node.constants.js';
import { aggregateTraffic } from './traffic-aggregate.js';

describe('aggregateTraffic', () => {
  it('sums repeated users, sorts by id, applies the rate rounding to whole bytes', () => {
    const r = aggregateTraffic(
      [
        { user_id: 9, u: 1, d: 2 },
        { user_id: 3, u: 10, d: 0 },
        { user_id: 9, u: 4, d: 1 },
      ],
      0.5,
    );
    expect(r.deltas).toEqual([
      { id: 3, u: 5, d: 0 },
      // 5 × 0.5 = 2.5 → 3, 3 × 0.5 = 1.5 → 2
      { id: 9, u: 3, d: 2 },
    ]);
    expect([...r.raw.entries()]).toEqual([
      [9, { u: 5, d: 3 }],
      [3, { u: 10, d: 0 }],
    ]);
    expect(r.rawBytes).toBe(18);
  });

  it('drops users whose sums are zero but keeps one-sided traffic; raw bytes count everything', () => {
    const r = aggregateTraffic(
      [
        { user_id: 1, u: 0, d: 0 },
        { user_id: 2, u: 0, d: 7 },
        { user_id: 4, u: 7, d: 0 },
      ],
      1,
    );
    expect(r.deltas).toEqual([
      { id: 2, u: 0, d: 7 },
      { id: 4, u: 7, d: 0 },
    ]);
    expect(r.raw.get(1)).toEqual({ u: 0, d: 0 });
    expect(r.rawBytes).toBe(14);
  });

  it('a rate of 0 leaves deltas of 0 (free node) and caps each delta at MAX_TRAFFIC_BYTES', () => {
    expect(aggregateTraffic([{ user_id: 1, u: 5, d: 5 }], 0).deltas).toEqual([
      { id: 1, u: 0, d: 0 },
    ]);
    expect(
      aggregateTraffic([{ user_id: 1, u: MAX_TRAFFIC_BYTES, d: 10 }], 3).deltas,
    ).toEqual([{ id: 1, u: MAX_TRAFFIC_BYTES, d: 30 }]);
    expect(
      aggregateTraffic([{ user_id: 1, u: 10, d: MAX_TRAFFIC_BYTES }], 3).deltas,
    ).toEqual([{ id: 1, u: 30, d: MAX_TRAFFIC_BYTES }]);
  });

  it('an empty report is empty', () => {
    const r = aggregateTraffic([], 1);
    expect(r).toEqual({ deltas: [], raw: new Map(), rawBytes: 0 });
  });
});
