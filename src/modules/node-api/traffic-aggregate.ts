import { MAX_TRAFFIC_BYTES } from '../node/node.constants.js';
import type { TrafficDelta } from './node-sql.js';

export interface AggregatedReport {
  deltas: TrafficDelta[];
  /** Raw per-user sums, for the optional traffic log. */
  raw: Map<number, { u: number; d: number }>;
  rawBytes: number;
}

/**
 * Sums entries per user (an agent may name a user twice; CASE would keep only the first) and
 * applies the node's traffic_rate, rounding to whole bytes and capping each delta at
 * MAX_TRAFFIC_BYTES (a large rate cannot make one report overflow a counter). Sorted by id: every transaction
 * locks user rows in the same order. The bench ceiling imports it too, so both do the same work.
 */
export function aggregateTraffic(
  entries: readonly { user_id: number; u: number; d: number }[],
  rate: number,
): AggregatedReport {
  const raw = new Map<number, { u: number; d: number }>();
  let rawBytes = 0;
  for (const e of entries) {
    const sum = raw.get(e.user_id);
    if (sum) {
      sum.u += e.u;
      sum.d += e.d;
    } else raw.set(e.user_id, { u: e.u, d: e.d });
    rawBytes += e.u + e.d;
  }
  const deltas = [...raw.entries()]
    .filter(([, s]) => s.u > 0 || s.d > 0)
    .map(([id, s]) => ({
      id,
      u: Math.min(MAX_TRAFFIC_BYTES, Math.round(s.u * rate)),
      d: Math.min(MAX_TRAFFIC_BYTES, Math.round(s.d * rate)),
    }))
    .sort((a, b) => a.id - b.id);
  return { deltas, raw, rawBytes };
}
