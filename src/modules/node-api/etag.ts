import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { acceptsGzip, GZIP_MIN_BYTES } from './gzip.js';

/** A JSON body ready to send, with its ETag; `body` is null when the client's copy is current. */
export interface EtaggedReply {
  etag: string;
  body: Buffer | null;
  /** The body gzipped once and kept with it (cached lists); absent: never compressed. */
  gzip?: () => Promise<Buffer>;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** `W/"<sha1 of the body>"`: bodies are built deterministically, so equal data, equal tag. */
export function weakEtag(body: string | Buffer): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** A 304 only when If-None-Match equals the tag byte for byte; an empty header never matches. */
export function matchesEtag(
  ifNoneMatch: string | undefined,
  etag: string,
): boolean {
  return (
    ifNoneMatch !== undefined && ifNoneMatch !== '' && ifNoneMatch === etag
  );
}

/** How a dialect tags a body and recognises the client's copy (UniProxy has its own). */
export interface EtagScheme {
  tag(body: string | Buffer): string;
  matches(ifNoneMatch: string | undefined, etag: string): boolean;
}

/** The panel's own dialects: weak sha1 tag, byte-for-byte match. */
export const PANEL_ETAG: EtagScheme = { tag: weakEtag, matches: matchesEtag };

/**
 * V2Board's ETag (UniProxy dialect): `"<sha1 hex of the exact body>"`, strong and quoted, and a
 * match is the bare hex appearing anywhere in If-None-Match (`strpos`), so quoted, unquoted and
 * a proxy's weakened `W/"…"` all match (v2board/v2board
 * app/Http/Controllers/Server/UniProxyController.php; cedar2025/Xboard uses `str_contains`).
 * An empty header never matches.
 */
export const V2BOARD_ETAG: EtagScheme = {
  tag: (body) => `"${createHash('sha1').update(body).digest('hex')}"`,
  matches: (ifNoneMatch, etag) =>
    ifNoneMatch !== undefined &&
    ifNoneMatch !== '' &&
    ifNoneMatch.includes(etag.slice(1, -1)),
};

/** Serialises once and answers 304 when the client already holds this body. */
export function etagged(
  data: unknown,
  ifNoneMatch: string | undefined,
  scheme: EtagScheme = PANEL_ETAG,
): EtaggedReply {
  const body = Buffer.from(JSON.stringify(data));
  const etag = scheme.tag(body);
  return { etag, body: scheme.matches(ifNoneMatch, etag) ? null : body };
}

/**
 * Writes the reply as is: no re-serialisation (the cached user list is already JSON bytes) and
 * no Express ETag logic (disabled in app.setup.ts; these tags are explicit). A cached list goes
 * out gzipped when Accept-Encoding allows it, from the bytes compressed once per cache fill; the
 * ETag names the content and is the same either way, so 304s are unchanged.
 */
export async function sendEtagged(
  res: Response,
  reply: EtaggedReply,
  contentType: string = JSON_CONTENT_TYPE,
): Promise<void> {
  res.setHeader('ETag', reply.etag);
  if (reply.body === null) {
    res.status(304).end();
    return;
  }
  let body = reply.body;
  if (reply.gzip && body.length >= GZIP_MIN_BYTES) {
    res.setHeader('Vary', 'Accept-Encoding');
    if (acceptsGzip(res.req.headers['accept-encoding'])) {
      body = await reply.gzip();
      res.setHeader('Content-Encoding', 'gzip');
    }
  }
  res.status(200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
