import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { UniProxyErrorCode, UniProxyException } from './uniproxy.exception.js';
import {
  normaliseNodeType,
  type UniProxyNodeType,
} from './uniproxy-node-type.js';

const INT_MAX = 2_147_483_647;
const NODE_ID = /^[1-9][0-9]{0,9}$/;

/** Who is calling: the node and the type its agent runs (the token is NodeKeyGuard's). */
export interface UniProxyCaller {
  nodeId: number;
  nodeType: UniProxyNodeType;
}

const invalid = (message: string): UniProxyException =>
  new UniProxyException(UniProxyErrorCode.QUERY_INVALID, message);

/**
 * `node_id` and `node_type` from the query string, on every method (agents never put them in a
 * POST body). Other query parameters are ignored, as V2Board ignores them: an agent that adds
 * one must not be locked out.
 */
export function parseUniProxyCaller(query: Request['query']): UniProxyCaller {
  const id = query.node_id;
  if (typeof id !== 'string' || !NODE_ID.test(id) || Number(id) > INT_MAX)
    throw invalid('node_id must be a positive integer');
  const type = query.node_type;
  if (typeof type !== 'string' || type.trim() === '')
    throw invalid('node_type is required');
  const nodeType = normaliseNodeType(type);
  if (!nodeType)
    throw invalid(
      'node_type must be one of v2ray, vmess, vless, trojan, shadowsocks, hysteria, hysteria2, tuic, anytls',
    );
  return { nodeId: Number(id), nodeType };
}

/** The caller from the query string (a 400 `{"message"}` when malformed). */
export const Caller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): UniProxyCaller =>
    parseUniProxyCaller(ctx.switchToHttp().getRequest<Request>().query),
);

/**
 * The request body as raw bytes (app.setup.ts reads UniProxy bodies with a raw parser whatever
 * their Content-Type), or undefined without one. A custom decorator, so the global validation
 * pipe leaves the bytes alone.
 */
export const RawBody = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Buffer | undefined => {
    const body: unknown = ctx.switchToHttp().getRequest<Request>().body;
    return Buffer.isBuffer(body) ? body : undefined;
  },
);

/** Does the agent ask for a msgpack user list (`X-Response-Format: msgpack`, wyx2685/V2bX)? */
export function wantsMsgpack(header: string | undefined): boolean {
  return header !== undefined && header.toLowerCase().includes('msgpack');
}
