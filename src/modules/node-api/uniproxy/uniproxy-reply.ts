import type { Response } from 'express';

export const JSON_TYPE = 'application/json; charset=utf-8';
/** What wyx2685/v2board sends and V2bX's user.go looks for (`strings.Contains`). */
export const MSGPACK_TYPE = 'application/x-msgpack';

/** A tagged UniProxy body; `body` null = the agent's copy is current (bare 304). */
export interface UniProxyReply {
  etag: string;
  body: Buffer | null;
  contentType: string;
}

/** Writes the bytes as built (no re-serialisation; Express's own ETag is off, app.setup.ts). */
export function sendUniProxy(res: Response, reply: UniProxyReply): void {
  res.setHeader('ETag', reply.etag);
  if (reply.body === null) {
    res.status(304).end();
    return;
  }
  res.status(200);
  res.setHeader('Content-Type', reply.contentType);
  res.setHeader('Content-Length', reply.body.length);
  res.end(reply.body);
}
