import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzipAsync = promisify(gzipCallback);

/** Below this a gzip member costs more than it saves (headers, CPU): sent as is. */
export const GZIP_MIN_BYTES = 1024;

/**
 * The body's gzip bytes, compressed on first use and kept with the body: a cached list is
 * compressed once per cache fill (per replica), whatever the number of polls that take it.
 */
export function lazyGzip(body: Buffer): () => Promise<Buffer> {
  let pending: Promise<Buffer> | undefined;
  return () => (pending ??= gzipAsync(body));
}

/**
 * Does Accept-Encoding allow gzip? Go's net/http Transport (every node agent) sends
 * `Accept-Encoding: gzip` by itself and transparently decompresses. `gzip;q=0` refuses.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of value.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
