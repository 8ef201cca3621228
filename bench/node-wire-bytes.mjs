/**
 * Bytes on the wire of the node-agent list routes, with `Accept-Encoding: gzip` next to
 * without: each route requested once each way from the app (raw socket bytes of the body, not
 * decompressed), then once more with gzip and the ETag in If-None-Match (the 304 must stay a bare
 * 304 with the same tag). Used by bench/node-bench.mjs.
 */
import http from 'node:http';

/** The goal of issue #13: gzipped lists at most this share of the plain bytes. */
export const GZIP_GOAL = 0.45;

/** One request; the body bytes as received (compressed stays compressed). */
function get(base, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, base), { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes,
          encoding: res.headers['content-encoding'] ?? null,
          etag: res.headers.etag ?? null,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * `routes`: [name, path, headers] as the agents call them. Returns one row per route; throws when
 * a route does not answer 200 both ways, or its ETag differs, or its 304 is not bare.
 */
export async function measureWireBytes(base, routes) {
  const rows = [];
  for (const [name, path, headers = {}] of routes) {
    const plain = await get(base, path, headers);
    const gzip = await get(base, path, {
      ...headers,
      'accept-encoding': 'gzip',
    });
    const notModified = await get(base, path, {
      ...headers,
      'accept-encoding': 'gzip',
      'if-none-match': gzip.etag ?? '',
    });
    if (plain.status !== 200 || gzip.status !== 200)
      throw new Error(`${name}: ${plain.status} / ${gzip.status}, not 200`);
    if (plain.etag !== gzip.etag)
      throw new Error(`${name}: the ETag differs with gzip`);
    if (notModified.status !== 304 || notModified.bytes !== 0)
      throw new Error(`${name}: the gzip 304 is not a bare 304`);
    rows.push({
      name,
      plain: plain.bytes,
      gzip: gzip.bytes,
      encoding: gzip.encoding,
      ratio: gzip.bytes / plain.bytes,
      notModifiedEtagSame: notModified.etag === plain.etag,
    });
  }
  return rows;
}

const kib = (n) =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(2)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;

/** The Markdown table of `measureWireBytes`' rows. */
export function wireBytesTable(rows) {
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${kib(r.plain)} (${r.plain.toLocaleString('en-US')} B) | ${kib(r.gzip)} (${r.gzip.toLocaleString('en-US')} B) | ${r.encoding ?? 'none (below 1 KiB: sent as is)'} | ${r.ratio.toFixed(2)}× | ${r.notModifiedEtagSame ? 'yes' : '**no**'} |`,
  );
  return `| route | without Accept-Encoding | with \`Accept-Encoding: gzip\` | Content-Encoding | gzip / plain | 304 with gzip: bare, same ETag |
|---|---|---|---|---|---|
${lines.join('\n')}`;
}
