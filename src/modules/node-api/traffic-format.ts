const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** `1.5GB`-style amounts for `user_traffic_log.traffic` (1 GB = 1024³ bytes). */
export function humanBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(2))}${UNITS[unit]}`;
}
