import type { Response } from 'express';
import { type EtaggedReply, sendEtagged } from '../etag.js';

export { JSON_CONTENT_TYPE as JSON_TYPE } from '../etag.js';
/** What wyx2685/v2board sends and V2bX's user.go looks for (`strings.Contains`). */
export const MSGPACK_TYPE = 'application/x-msgpack';

/** A tagged UniProxy body and its media type; `body` null = the agent's copy is current. */
export interface UniProxyReply extends EtaggedReply {
  contentType: string;
}

/** The shared writer: bare 304, or the bytes as built (gzipped when allowed and cached). */
export function sendUniProxy(
  res: Response,
  reply: UniProxyReply,
): Promise<void> {
  return sendEtagged(res, reply, reply.contentType);
}
