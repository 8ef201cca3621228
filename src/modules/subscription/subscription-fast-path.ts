import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Application, Request, RequestHandler, Response } from 'express';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../common/http/all-exceptions.filter.js';
import {
  SEED_LINK_PREFIX,
  SUBSCRIPTION_PREFIX,
} from '../../common/http/routes.js';
import { requestIdFor } from '../logging/logging.module.js';
import { logRequestCompleted } from '../logging/request-completed.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { ProtocolName } from '../node/protocol/index.js';
import {
  clearRateLimitHeaders,
  countPolicyHit,
  type PolicyThrottle,
  policyThrottle,
} from '../throttle/throttle-hit.js';
import { acrossRoutesKey } from '../throttle/throttle-trackers.js';
import { detectOutput, type OutputKind } from './client-detection.js';
import { MU_VALUES, type MuValue } from './dto/subscription.dto.js';
import { FORMAT_NAMES } from './formats/profile.js';
import {
  SEED_LINK_ROUTE,
  SUB_AUTO_ROUTE,
  SUB_FORMAT_ROUTE,
} from './subscription-feed.controller.js';
import {
  SubscriptionFetchService,
  writeProfile,
} from './subscription-fetch.service.js';
import { linkProtocolsOf } from './subscription-filters.js';

/** A token as issued: URL-safe base64, nothing for Express to decode. */
const TOKEN = '([A-Za-z0-9_-]{1,128})';
/** `/sub/<token>` or `/sub/<token>/<format>`. */
const FEED_PATH = new RegExp(
  `^/${SUBSCRIPTION_PREFIX}/${TOKEN}(?:/([a-z0-9-]{1,32}))?$`,
);
/** The seed's `/link/<token>`. */
const LINK_PATH = new RegExp(`^/${SEED_LINK_PREFIX}/${TOKEN}$`);
/** The cheap first look at the raw URL: only these may be fast-path fetches at all. */
const CANDIDATE_PREFIXES = [
  `/${SUBSCRIPTION_PREFIX}/`,
  `/${SEED_LINK_PREFIX}/`,
];
/** SubscriptionQueryDto's `flag` limit. */
const FLAG_MAX = 64;

/** A fetch the fast path may answer: the token, the output and the route it stands for. */
interface Fetch {
  token: string;
  output: OutputKind;
  protocols: ReadonlySet<ProtocolName> | null;
  pattern: string;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The app's own request/response prototypes (`app.request`, untyped in @types/express). */
type ExpressApp = Application & { request: Request; response: Response };

/**
 * Subscription fetches answered on the HTTP server's request listener, in front of Express.
 * Clients refresh their profile through `GET /sub/:token[/:format]` (and the seed's
 * `/link/:token`); once the body is cached, Express's `app.handle`, its router (a layer per
 * route and middleware), pino-http and Nest's guard, pipe and interceptor chain cost a fetch
 * about as much as its own work.
 *
 * It is the route's own work, not a second implementation: the feed controller and this call
 * the same `SubscriptionFetchService.fetch` and write its reply with the same `writeProfile`;
 * an error is answered through the global filter's own mapping (`mapException`). What the
 * stack adds around the route is done here with the stack's own pieces, in its order:
 * - only `GET`/`HEAD` of exactly `/sub/<token>`, `/sub/<token>/<format>` with a known format,
 *   or `/link/<token>`, a token of URL-safe characters, no Origin (CORS stays with the normal
 *   chain), and a query the route's DTO accepts as is: none; or `flag` (a string of at most 64
 *   characters) on `/sub/<token>`; or `mu` (one of its values) on `/link/<token>`. Anything
 *   else (`types`, odd paths, other methods) goes to Express exactly as it came;
 * - Express's own `req.path`, `req.query` and `req.ip` getters (read through a receiver, see
 *   `expressView`), so the client IP is `req.ip` under the app's `trust proxy` setting
 *   (TRUST_PROXY) and the query is Express's parse; Express's prototypes are given to the
 *   request and response only for an error answered here;
 * - helmet's headers (the app's one helmet instance), then the hit against the `subscription`
 *   budget under the key ThrottlerGuard uses for the token, with its headers; a blocked budget,
 *   or a budget that cannot be counted (Redis down), goes to Express, whose guard answers the
 *   429 (the hit is not counted again) or the 503;
 * - counted in `panel_http_request_duration_seconds` under the route pattern, `X-Request-Id`
 *   echoed, pino-http's access line written at its level (see `logRequestCompleted`).
 */
export function mountSubscriptionFastPath(
  app: INestApplication,
  browserHeaders: RequestHandler,
): void {
  const server = app.getHttpServer() as Server;
  const express = app.getHttpAdapter().getInstance() as ExpressApp;
  const throttle = policyThrottle(app, 'subscription');
  const listeners = server.listeners('request') as Listener[];
  // Without the budget to count against, or with a listener other than Express's own: the
  // normal chain alone.
  if (!throttle || listeners.length !== 1 || listeners[0] !== express) return;
  const feed = app.get(SubscriptionFetchService);
  const metrics = app.get(MetricsService);

  // `res` is typed as Express's for the helpers that take one; it only gets Express's prototype
  // if an error is answered here (asExpress).
  const handle = (req: IncomingMessage, res: Response) => {
    const view = expressView(express, req);
    const fetch = fetchOf(view);
    if (!fetch) return express(req, res);
    const started = process.hrtime.bigint();
    if (express.enabled('x-powered-by'))
      res.setHeader('X-Powered-By', 'Express');
    browserHeaders(req as Request, res, () => undefined);
    countHit(throttle, fetch, res).then(
      (counted) => {
        if (!counted) {
          clearRateLimitHeaders(res);
          return express(req, res);
        }
        answer(feed, fetch, view, express, req, res)
          .then(() => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            metrics.observeHttp(
              req.method ?? 'GET',
              fetch.pattern,
              res.statusCode,
              seconds,
            );
            logRequestCompleted(req as Request, res, seconds);
          })
          .catch((err: unknown) => exceptionLogger.error(err));
      },
      () => {
        clearRateLimitHeaders(res);
        express(req, res);
      },
    );
  };

  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isCandidate(req)) return express(req, res);
    try {
      handle(req, res as Response);
    } catch {
      // Nothing answered yet (the parse threw): Express answers it as it would have.
      if (!res.headersSent) express(req, res);
    }
  });
}

/** Step 1, on the raw request: a `GET`/`HEAD` under a feed prefix, without Origin. */
function isCandidate(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.origin !== undefined) return false;
  const url = req.url ?? '';
  return CANDIDATE_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** What the fast path reads of a request through Express's own getters. */
interface ExpressView {
  readonly path: string;
  readonly query: Record<string, unknown>;
  readonly ip: string | undefined;
  readonly headers: IncomingMessage['headers'];
}

/**
 * Express's own `req.path`, `req.query` and `req.ip` (its getters, under the app's `query
 * parser` and `trust proxy` settings) for a raw request, read through a small receiver instead
 * of giving the request Express's prototype. Swapping the prototypes of Node's request and
 * response objects (what `app.handle` does) makes Node's own HTTP code run several times slower
 * on them (writeHead, end, the header store); a fetch answered here never needs them.
 */
function expressView(express: ExpressApp, req: IncomingMessage): ExpressView {
  const receiver = {
    app: express,
    url: req.url,
    headers: req.headers,
    socket: req.socket,
    connection: req.socket,
  };
  const get = (name: 'path' | 'query' | 'ip'): unknown =>
    Reflect.get(express.request, name, receiver);
  return {
    path: get('path') as string,
    get query() {
      return get('query') as Record<string, unknown>;
    },
    get ip() {
      return get('ip') as string | undefined;
    },
    headers: req.headers,
  };
}

/**
 * The request and response as Express's `app.handle` makes them before its router (the same
 * prototypes, links and locals; Express repeats it harmlessly when the request goes on to it),
 * plus the `originalUrl` its router records: only for an error answered here (the global
 * filter's mapping and `res.json` need them).
 */
function asExpress(
  express: ExpressApp,
  req: IncomingMessage,
  res: ServerResponse,
): Request {
  const request = Object.setPrototypeOf(req, express.request) as Request;
  const response = Object.setPrototypeOf(res, express.response) as Response;
  request.res = response;
  response.req = request;
  response.locals ??= Object.create(null) as Response['locals'];
  request.originalUrl ??= request.url;
  return request;
}

/** Step 2: only a feed path, with a query the route's DTO takes as is. */
function fetchOf(req: ExpressView): Fetch | null {
  const path = req.path;
  const query = req.query;
  const link = LINK_PATH.exec(path);
  if (link) {
    const mu = onlyParam(query, 'mu');
    if (mu === null) return null;
    if (mu !== undefined && !(MU_VALUES as readonly string[]).includes(mu))
      return null;
    return {
      token: link[1],
      output: 'seed-links',
      protocols: linkProtocolsOf(mu as MuValue | undefined, undefined),
      pattern: SEED_LINK_ROUTE,
    };
  }
  const match = FEED_PATH.exec(path);
  if (!match) return null;
  const [, token, format] = match;
  if (format !== undefined) {
    if (!(FORMAT_NAMES as readonly string[]).includes(format)) return null;
    if (onlyParam(query, null) === null) return null;
    const output = format as OutputKind;
    return { token, output, protocols: null, pattern: SUB_FORMAT_ROUTE };
  }
  const flag = onlyParam(query, 'flag');
  if (flag === null || (flag !== undefined && flag.length > FLAG_MAX))
    return null;
  const output = detectOutput(req.headers['user-agent'], flag);
  return { token, output, protocols: null, pattern: SUB_AUTO_ROUTE };
}

/**
 * The one parameter `name` may be (a single string), undefined when the query is empty; null
 * when it holds anything else (another name, a repeated or nested value).
 */
function onlyParam(
  query: Record<string, unknown>,
  name: string | null,
): string | undefined | null {
  let value: string | undefined;
  for (const key in query) {
    const v = query[key];
    if (key !== name || typeof v !== 'string') return null;
    value = v;
  }
  return value;
}

/** Step 3: the token's hit against its budget, as ThrottlerGuard keys it for the feed routes. */
function countHit(
  throttle: PolicyThrottle,
  fetch: Fetch,
  res: Response,
): Promise<boolean> {
  const tracker = throttle.getTracker({
    params: { token: fetch.token },
  } as unknown as Request);
  return countPolicyHit(throttle, acrossRoutesKey(tracker, throttle.name), res);
}

/** Step 4: the route's work and its answer, or the error as the global filter answers it. */
async function answer(
  feed: SubscriptionFetchService,
  fetch: Fetch,
  view: ExpressView,
  express: ExpressApp,
  req: IncomingMessage,
  res: Response,
): Promise<void> {
  (req as IncomingMessage & { id?: string }).id = requestIdFor(req, res);
  try {
    const reply = await feed.fetch({
      token: fetch.token,
      output: fetch.output,
      protocols: fetch.protocols,
      ip: view.ip ?? '',
      userAgent: req.headers['user-agent'] ?? '',
      method: req.method ?? 'GET',
      url: req.url ?? '',
    });
    writeProfile(res, reply);
  } catch (err) {
    const request = asExpress(express, req, res);
    const mapped = mapException(err, request, exceptionLogger);
    if (!res.headersSent) writeMappedHead(res, mapped).json(mapped.body);
  }
}
