import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import {
  type NodeDialect,
  NodeStateService,
} from '../node/node-state.service.js';

const DIALECT_KEY = 'panel:node-dialect';
const NODE_ID = /^[1-9][0-9]{0,9}$/;

/** The node a request names: `?node_id=`, `:id`, or a seed body's `node_id`. */
function nodeIdOf(req: Request): number | null {
  const body = req.body as { node_id?: unknown } | undefined;
  const raw: unknown =
    req.query?.node_id ??
    req.params?.id ??
    req.params?.node_id ??
    (body && !Buffer.isBuffer(body) ? body.node_id : undefined);
  const text = typeof raw === 'number' ? String(raw) : raw;
  return typeof text === 'string' && NODE_ID.test(text) ? Number(text) : null;
}

/**
 * After a node-agent request succeeds, notes which dialect the node speaks (admin node views).
 * Never fails the request: the note is secondary state.
 */
@Injectable()
export class NodeDialectInterceptor implements NestInterceptor {
  private readonly logger = new Logger(NodeDialectInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly state: NodeStateService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const dialect = this.reflector.getAllAndOverride<NodeDialect | undefined>(
      DIALECT_KEY,
      [context.getHandler(), context.getClass()],
    );
    const nodeId = nodeIdOf(context.switchToHttp().getRequest<Request>());
    if (!dialect || nodeId === null) return next.handle();
    return next.handle().pipe(
      tap({
        complete: () => {
          this.state
            .noteDialect(nodeId, dialect)
            .catch((err: Error) => this.logger.warn(err.message));
        },
      }),
    );
  }
}

/** The agent dialect a controller speaks (recorded per node on every successful request). */
export const SpeaksDialect = (
  dialect: NodeDialect,
): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SetMetadata(DIALECT_KEY, dialect),
    UseInterceptors(NodeDialectInterceptor),
  );
