/** Unix seconds, the unit of the legacy `t`, `datetime`, `node_heartbeat` columns. */
export function unixNow(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000);
}

export const DAY_S = 86_400;

/** DATETIME columns in API responses: ISO-8601, or '' for a missing/invalid legacy value. */
export function toIsoString(value: Date | string | null | undefined): string {
  if (!value) return '';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
