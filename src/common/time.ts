/** Unix seconds, the unit of the legacy `t`, `datetime`, `node_heartbeat` columns. */
export function unixNow(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000);
}

export const DAY_S = 86_400;
