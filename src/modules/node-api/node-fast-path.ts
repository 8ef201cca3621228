import type { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { NodeKeyCheck } from '../../common/guards/node-key.guard.js';
import { authConfig } from '../../config/index.js';
import { requestIdFor } from '../logging/logging.module.js';
import { logRequestCompleted } from '../logging/request-completed.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  clearRateLimitHeaders,
  countPolicyHit,
  type PolicyThrottle,
  policyThrottle,
} from '../throttle/throttle-hit.js';
import { throttleKey } from '../throttle/throttle-key.js';
import {
  NodeSeedController,
  SEED_USERS_ROUTE,
} from './node-seed.controller.js';
import {
  NodeStateService,
  type NodeDialect,
} from '../node/node-state.service.js';
import { canonicalNodeId } from './dto/node-query.dto.js';
import { NodeUserListService } from './node-user-list.service.js';
import {
  parseUniProxyCaller,
  type UniProxyCaller,
} from './uniproxy/uniproxy-request.js';
import { UniProxyUserService } from './uniproxy/uniproxy-user.service.js';
import {
  UNIPROXY_USER_ROUTE,
  UniProxyController,
} from './uniproxy/uniproxy.controller.js';
import {
  SSPANEL_USERS_ROUTE,
  SspanelMuController,
} from './sspanel-mu.controller.js';

/** What a route reads from a request it may answer: the node, and its own 304 method. */
interface ParsedPoll {
  nodeId: number | undefined;
  /** The route's service: heartbeat first, then the cached tag if the agent holds it, else null. */
  notModified(ifNoneMatch: string): Promise<string | null>;
}

/** One cached list route the fast path answers 304 for. */
interface FastRoute {
  /** The route pattern, as the HTTP metrics label it. */
  pattern: string;
  /** The route's controller and handler: its rate-limit key is built from them (throttleKey). */
  controller: string;
  handler: string;
  /** The dialect its controller notes per node (SpeaksDialect). */
  dialect: NodeDialect;
  /** The poll, when the request is in the form the route accepts as is; null: not for the fast path. */
  parse(req: Request): ParsedPoll | null;
}

/** A request the fast path may answer: its route, what it asks and If-None-Match. */
interface Poll {
  route: FastRoute;
  parsed: ParsedPoll;
  ifNoneMatch: string;
}

/**
 * The cached-list poll's 304, answered in front of the middleware chain: XrayR polls
 * `GET /mod_mu/users` every minute or so from every node with the last ETag, and almost every
 * answer is "unchanged". The full Express/Nest stack (router layers, helmet, pino-http, guards,
 * pipes, interceptors) costs about seven times the 304 itself.
 *
 * It is a cache fast path, not a second implementation: it answers only when the request is one
 * the route would answer 304 to, and it does so with the route's own pieces, in the route's
 * order:
 * - only `GET` of exactly the route path, a non-empty If-None-Match, no Origin (CORS stays with
 *   the normal chain), and a query the route's DTO accepts in its canonical form (`key`,
 *   `muKey`, `node_id` as a plain positive integer, nothing else);
 * - the MU_KEY check of NodeKeyGuard (the same `NodeKeyCheck`), then the hit counted against
 *   the `node` rate-limit budget under the key ThrottlerGuard uses, with its headers;
 * - the list service's own 304 method: the coalesced heartbeat first, then the cached head and
 *   the ETag comparison `NodeCacheService.resolve()` starts with (the dialect's scheme); for
 *   UniProxy `user` first the route's node resolution (unknown node, type mismatch: it throws
 *   and the route answers), and only for the JSON list (no `X-Response-Format`);
 * - after the 304, the dialect noted for the node as the route's interceptor does.
 * Anything else (wrong or missing key, a blocked budget, a stale or absent tag, any doubt, any
 * error) goes to `next()` and the normal route answers, exactly as before; the heartbeat and
 * the hit are not recorded twice (the heartbeat is coalesced per node, and a blocked budget is
 * not incremented again).
 *
 * It still counts in `panel_http_request_duration_seconds` under the route pattern, echoes
 * `X-Request-Id`, and writes pino-http's "request completed" line when info is enabled (path
 * only: the query carries the key).
 */
export function nodeFastPath(
  app: INestApplication,
): (req: Request, res: Response, next: NextFunction) => void {
  const kit = nodeFastKit(app);
  // Without the node rate-limit budget to count against, no fast path at all.
  if (!kit) return (_req, _res, next) => next();
  const metrics = app.get(MetricsService);
  const routes = fastRoutes(
    app.get(NodeUserListService),
    app.get(UniProxyUserService),
  );

  const answer = async (
    poll: Poll,
    req: Request,
    res: Response,
  ): Promise<boolean> => {
    if (!kit.keyCheck.matches(req)) return false;
    const { controller, handler } = poll.route;
    if (!(await countNodeHit(kit.throttle, controller, handler, req, res)))
      return false;
    const etag = await poll.parsed.notModified(poll.ifNoneMatch);
    if (etag === null) return false;
    send304(req, res, etag);
    const nodeId = poll.parsed.nodeId;
    if (nodeId !== undefined) noteDialect(kit, nodeId, poll.route.dialect);
    return true;
  };

  return (req, res, next) => {
    const poll = pollOf(req, routes);
    if (!poll) return next();
    const started = process.hrtime.bigint();
    answer(poll, req, res).then(
      (answered) => {
        if (!answered) {
          clearRateLimitHeaders(res);
          return next();
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.observeHttp('GET', poll.route.pattern, 304, seconds);
        logRequestCompleted(req, res, seconds);
      },
      () => {
        clearRateLimitHeaders(res);
        next();
      },
    );
  };
}

/** What every node fast path checks and counts with, resolved once from the app. */
export interface NodeFastKit {
  /** NodeKeyGuard's own MU_KEY check. */
  keyCheck: NodeKeyCheck;
  /** ThrottlerGuard's `node` budget. */
  throttle: PolicyThrottle;
  state: NodeStateService;
}

/** The kit, or null when the app has no plain `node` budget (then no fast path may answer). */
export function nodeFastKit(app: INestApplication): NodeFastKit | null {
  const throttle = policyThrottle(app, 'node');
  if (!throttle) return null;
  return {
    keyCheck: new NodeKeyCheck(
      app.get<ConfigType<typeof authConfig>>(authConfig.KEY).muKey,
    ),
    throttle,
    state: app.get(NodeStateService),
  };
}

/**
 * The hit against the `node` budget under the key ThrottlerGuard uses for `controller.handler`,
 * with its headers. False when the budget is blocked: the guard answers the 429 (the hit is not
 * counted again).
 */
export async function countNodeHit(
  throttle: PolicyThrottle,
  controller: string,
  handler: string,
  req: Request,
  res: Response,
): Promise<boolean> {
  const key = throttleKey(
    controller,
    handler,
    throttle.name,
    throttle.getTracker(req),
  );
  return countPolicyHit(throttle, key, res);
}

/** After an answer: the dialect noted as NodeDialectInterceptor does (never fails the answer). */
export function noteDialect(
  kit: NodeFastKit,
  nodeId: number,
  dialect: NodeDialect,
): void {
  kit.state.noteDialect(nodeId, dialect).catch(() => undefined);
}

/** The list routes, keyed by their served path. */
function fastRoutes(
  lists: NodeUserListService,
  uniproxy: UniProxyUserService,
): Map<string, FastRoute> {
  return new Map<string, FastRoute>([
    [
      SSPANEL_USERS_ROUTE,
      {
        pattern: SSPANEL_USERS_ROUTE,
        controller: SspanelMuController.name,
        handler: 'users' satisfies keyof SspanelMuController,
        dialect: 'sspanel',
        parse: (req) => {
          const nodeId = canonicalNodeId(req.query, true);
          return nodeId === null || nodeId === undefined
            ? null
            : {
                nodeId,
                notModified: (inm) => lists.sspanelNotModified(nodeId, inm),
              };
        },
      },
    ],
    [
      SEED_USERS_ROUTE,
      {
        pattern: SEED_USERS_ROUTE,
        controller: NodeSeedController.name,
        handler: 'users' satisfies keyof NodeSeedController,
        dialect: 'seed',
        parse: (req) => {
          const nodeId = canonicalNodeId(req.query, false);
          return nodeId === null
            ? null
            : {
                nodeId,
                notModified: (inm) => lists.seedNotModified(nodeId, inm),
              };
        },
      },
    ],
    [
      UNIPROXY_USER_ROUTE,
      {
        pattern: UNIPROXY_USER_ROUTE,
        controller: UniProxyController.name,
        handler: 'getUser' satisfies keyof UniProxyController,
        dialect: 'uniproxy',
        parse: (req) => {
          // msgpack bodies have their own tag: the route handles them.
          if (req.headers['x-response-format'] !== undefined) return null;
          const caller = canonicalUniProxyCaller(req.query);
          return caller === null
            ? null
            : {
                nodeId: caller.nodeId,
                notModified: (inm) => uniproxy.notModified(caller, inm),
              };
        },
      },
    ],
  ]);
}

/** Step 1: only `GET` of exactly a list route, with If-None-Match, no Origin, a canonical query. */
function pollOf(req: Request, routes: Map<string, FastRoute>): Poll | null {
  if (req.method !== 'GET') return null;
  const route = routes.get(req.path);
  const ifNoneMatch = req.headers['if-none-match'];
  if (!route || !ifNoneMatch || req.headers.origin !== undefined) return null;
  const parsed = route.parse(req);
  return parsed ? { route, parsed, ifNoneMatch } : null;
}

/** Step 5: the 304 itself, with the request id the logger and the response header carry. */
function send304(req: Request, res: Response, etag: string): void {
  (req as Request & { id?: string }).id = requestIdFor(req, res);
  res.setHeader('ETag', etag);
  res.statusCode = 304;
  res.end();
}

/**
 * The UniProxy caller when the query is exactly what the agents send (`token`, `node_id`,
 * `node_type`, each once, `node_id` a plain positive integer, a known `node_type`), else null.
 * The route itself ignores other parameters; the fast path leaves such requests to it.
 */
function canonicalUniProxyCaller(
  query: Request['query'],
): UniProxyCaller | null {
  for (const name in query) {
    if (typeof query[name] !== 'string') return null;
    if (name !== 'token' && name !== 'node_id' && name !== 'node_type')
      return null;
  }
  try {
    return parseUniProxyCaller(query);
  } catch {
    return null;
  }
}
