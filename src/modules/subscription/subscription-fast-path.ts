import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../common/http/all-exceptions.filter.js';
import { SUBSCRIPTION_PREFIX } from '../../common/http/routes.js';
import { requestIdFor } from '../logging/logging.module.js';
import { logRequestCompleted } from '../logging/request-completed.js';
import { labelAsRoute } from '../metrics/metrics.service.js';
import {
  clearRateLimitHeaders,
  countPolicyHit,
  type PolicyThrottle,
  policyThrottle,
} from '../throttle/throttle-hit.js';
import { acrossRoutesKey } from '../throttle/throttle-trackers.js';
import { detectOutput, type OutputKind } from './client-detection.js';
import { FORMAT_NAMES } from './formats/profile.js';
import {
  SUB_AUTO_ROUTE,
  SUB_FORMAT_ROUTE,
} from './subscription-feed.controller.js';
import {
  SubscriptionFetchService,
  writeProfile,
} from './subscription-fetch.service.js';

/** `/sub/<token>` or `/sub/<token>/<format>`, a token as issued (URL-safe base64, no escapes). */
const FEED_PATH = new RegExp(
  `^/${SUBSCRIPTION_PREFIX}/([A-Za-z0-9_-]{1,128})(?:/([a-z0-9-]{1,32}))?$`,
);
/** SubscriptionQueryDto's `flag` limit. */
const FLAG_MAX = 64;

/** A fetch the fast path may answer: the token, the output and the route it stands for. */
interface Fetch {
  token: string;
  output: OutputKind;
  pattern: string;
}

/**
 * Subscription fetches answered in front of the router. Clients refresh their profile through
 * `GET /sub/:token[/:format]`; past helmet and the metrics timer, the Express router (a layer per
 * route), pino-http and Nest's guard, pipe and interceptor chain cost a fetch about as much as
 * its own work once the body is cached.
 *
 * It is the route's own work, not a second implementation: the feed controller and this call
 * the same `SubscriptionFetchService.fetch` and write its reply with the same `writeProfile`;
 * an error is answered through the global filter's own mapping (`mapException`). What the route
 * adds around it is done here with the route's pieces, in the route's order:
 * - only `GET` of exactly `/sub/<token>` or `/sub/<token>/<format>` with a known format, a token
 *   of URL-safe characters (nothing for Express to decode), no Origin (CORS stays with the normal
 *   chain), and a query the route's DTO accepts as is: none, or `flag` (a string of at most 64
 *   characters) on `/sub/<token>`; anything else (`types`, HEAD, `/link/...`, odd paths) goes to
 *   the route;
 * - the hit against the `subscription` budget under the key ThrottlerGuard uses for the token,
 *   with its headers; a blocked budget goes to the route, whose guard answers the 429 without
 *   counting the hit again;
 * - counted in `panel_http_request_duration_seconds` under the route pattern (the metrics
 *   middleware runs before this), `X-Request-Id` echoed, pino-http's completion line written.
 */
export function subscriptionFastPath(
  app: INestApplication,
): (req: Request, res: Response, next: NextFunction) => void {
  const throttle = policyThrottle(app, 'subscription');
  // Without the subscription budget to count against, no fast path at all.
  if (!throttle) return (_req, _res, next) => next();
  const feed = app.get(SubscriptionFetchService);

  return (req, res, next) => {
    const fetch = fetchOf(req);
    if (!fetch) return next();
    const started = process.hrtime.bigint();
    countHit(throttle, fetch, res).then(
      (counted) => {
        if (!counted) {
          clearRateLimitHeaders(res);
          return next();
        }
        void answer(feed, fetch, req, res, started);
      },
      () => {
        clearRateLimitHeaders(res);
        next();
      },
    );
  };
}

/** Step 1: only a plain `GET` of a feed path, with a query the route's DTO takes as is. */
function fetchOf(req: Request): Fetch | null {
  if (req.method !== 'GET' || req.headers.origin !== undefined) return null;
  const match = FEED_PATH.exec(req.path);
  if (!match) return null;
  const [, token, format] = match;
  const query = req.query as Record<string, unknown>;
  if (format !== undefined) {
    if (!(FORMAT_NAMES as readonly string[]).includes(format)) return null;
    if (hasAny(query)) return null;
    return { token, output: format as OutputKind, pattern: SUB_FORMAT_ROUTE };
  }
  let flag: string | undefined;
  for (const name in query) {
    const value = query[name];
    if (name !== 'flag' || typeof value !== 'string') return null;
    if (value.length > FLAG_MAX) return null;
    flag = value;
  }
  const output = detectOutput(req.headers['user-agent'], flag);
  return { token, output, pattern: SUB_AUTO_ROUTE };
}

function hasAny(query: Record<string, unknown>): boolean {
  for (const _name in query) return true;
  return false;
}

/** Step 2: the token's hit against its budget, as ThrottlerGuard keys it for the feed routes. */
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

/** Step 3: the route's work and its answer, or the error as the global filter answers it. */
async function answer(
  feed: SubscriptionFetchService,
  fetch: Fetch,
  req: Request,
  res: Response,
  started: bigint,
): Promise<void> {
  (req as Request & { id?: string }).id = requestIdFor(req, res);
  labelAsRoute(req, fetch.pattern);
  try {
    const reply = await feed.fetch({
      token: fetch.token,
      output: fetch.output,
      protocols: null,
      ip: req.ip ?? '',
      userAgent: req.get('user-agent') ?? '',
      method: req.method,
      url: req.originalUrl,
    });
    writeProfile(res, reply);
  } catch (err) {
    const mapped = mapException(err, req, exceptionLogger);
    if (!res.headersSent) writeMappedHead(res, mapped).json(mapped.body);
  }
  logRequestCompleted(
    req,
    res,
    Number(process.hrtime.bigint() - started) / 1e9,
  );
}
