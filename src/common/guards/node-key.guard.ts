import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { authConfig } from '../../config/index.js';
import { Public } from '../decorators/public.decorator.js';
import {
  CommonErrorCode,
  CommonException,
} from '../errors/common.exception.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The MU_KEY comparison, constant time over digests (length leaks nothing). Shared by the guard
 * and the node-API cache fast path (src/modules/node-api/node-fast-path.ts).
 */
export class NodeKeyCheck {
  private readonly expected: Buffer;

  constructor(muKey: string) {
    this.expected = digest(muKey);
  }

  /** Does the request present the right key (header `Key`, query `key` / `muKey`)? */
  matches(req: Request): boolean {
    const key = presentedNodeKey(req);
    return key !== undefined && timingSafeEqual(digest(key), this.expected);
  }
}

/**
 * The node key from header `Key` (seed agents), query `key` / `muKey` (SSPanel agents) or query
 * `token` (V2Board UniProxy agents).
 */
export function presentedNodeKey(req: Request): string | undefined {
  // Express 5 parses the query string on every `req.query` read.
  const query = req.query;
  const candidates = [
    req.headers['key'],
    query['key'],
    query['muKey'],
    query['token'],
  ];
  return candidates.find(
    (c): c is string => typeof c === 'string' && c.length > 0,
  );
}

/**
 * Node agents authenticate with the shared MU_KEY. Compared in constant time (over digests, so
 * length leaks nothing); a failure never says which check failed.
 */
@Injectable()
export class NodeKeyGuard implements CanActivate {
  private readonly check: NodeKeyCheck;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    this.check = new NodeKeyCheck(config.muKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.check.matches(context.switchToHttp().getRequest<Request>())) {
      throw new CommonException(
        CommonErrorCode.UNAUTHORIZED,
        'Invalid request.',
      );
    }
    return true;
  }
}

/** Node-agent routes: no user JWT, the MU_KEY instead. */
export const NodeAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(Public(), UseGuards(NodeKeyGuard));
