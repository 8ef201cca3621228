/**
 * The request count (`panel_http_request_duration_seconds_count`) of the one series in a
 * Prometheus text that carries every one of `labels` (0 when there is none).
 */
export function requestCount(
  text: string,
  labels: Record<string, string>,
): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith('panel_http_request_duration_seconds_count{'))
      continue;
    if (wanted.every((l) => line.includes(l)))
      return Number(line.split(' ').pop());
  }
  return 0;
}
