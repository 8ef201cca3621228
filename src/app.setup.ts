import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication, NotFoundException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, raw, urlencoded } from 'express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger, PinoLogger } from 'nestjs-pino';
import {
  API_PREFIX,
  isGatewayCallbackPath,
  isNodeAgentPath,
  PAYMENT_NOTIFY_PATH,
  SEED_NODE_PATH,
  SSPANEL_PATH,
  UNIPROXY_PATH,
  UNPREFIXED_ROUTES,
} from './common/http/routes.js';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from './common/http/all-exceptions.filter.js';
import { refuseDeepJson } from './common/http/json-depth.js';
import { appConfig } from './config/index.js';
import { setupOpenApi } from './modules/docs/openapi.js';
import { MetricsService } from './modules/metrics/metrics.service.js';
import { nodeFastPath } from './modules/node-api/node-fast-path.js';
import { paymentNotifyFastPath } from './modules/payment/payment-notify-fast-path.js';
import { nodeReportFastPath } from './modules/node-api/node-report-fast-path.js';
import { sspanelParseErrors } from './modules/node-api/sspanel-exception.filter.js';
import { mountSubscriptionFastPath } from './modules/subscription/subscription-fast-path.js';
import { uniproxyParseErrors } from './modules/node-api/uniproxy/uniproxy-exception.filter.js';

/**
 * Everything main.ts does to the app besides listening, so tests boot the exact same app.
 * Create the app with `{ bufferLogs: true, bodyParser: false }`.
 */
export async function configureApp(app: INestApplication): Promise<void> {
  const express = app as NestExpressApplication;
  const config = app.get<ReturnType<typeof appConfig>>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  // The node agents' list polls answered 304 from the cache in front of everything else (same
  // key check, rate-limit budget, heartbeat and ETag comparison as the route; it times and
  // logs itself); any other request passes through untouched.
  express.use(nodeFastPath(app));
  // First in the chain, so requests rejected by the body parsers (413) are timed too.
  express.use(app.get(MetricsService).httpMiddleware());
  // Browser hardening headers for everything but the node agents' JSON API (XrayR and the seed
  // agents are Go HTTP clients: CSP, HSTS, frame and MIME-sniffing rules mean nothing to them)
  // and the payment gateways' server-to-server callbacks (likewise).
  const browserHeaders = helmet();
  express.use((req: Request, res: Response, next: NextFunction) => {
    if (isNodeAgentPath(req.path) || isGatewayCallbackPath(req.path))
      return next();
    browserHeaders(req, res, next);
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  // Node agents post up to 10,000 traffic entries: their routes parse with a larger limit
  // first (body-parser then skips an already-parsed body); everyone else gets the ordinary one.
  // Every JSON parser scans the raw bytes first: a body nested too deep is a 400, never parsed.
  // UniProxy bodies are read as raw bytes whatever their Content-Type and parsed by the dialect
  // (agents' pushes come with and without application/json); a body too large is its 413.
  express.use(
    UNIPROXY_PATH,
    raw({
      type: () => true,
      limit: config.nodeBodyLimit,
      verify: refuseDeepJson,
    }),
    uniproxyParseErrors,
  );
  express.use(
    [SSPANEL_PATH, SEED_NODE_PATH],
    json({ limit: config.nodeBodyLimit, verify: refuseDeepJson }),
    urlencoded({ limit: config.nodeBodyLimit, extended: false }),
  );
  // Gateway callbacks: some signatures (Stripe's) are over the exact bytes, so these parsers
  // keep them as `req.rawBody` beside the parsed form or JSON.
  const keepRawBody = (req: IncomingMessage, _res: unknown, buf: Buffer) => {
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
  };
  const keepRawJson = (
    req: IncomingMessage,
    res: ServerResponse,
    buf: Buffer,
  ) => {
    refuseDeepJson(req, res, buf);
    keepRawBody(req, res, buf);
  };
  express.use(
    PAYMENT_NOTIFY_PATH,
    json({
      limit: config.bodyLimit,
      type: ['application/json', '+json'],
      verify: keepRawJson,
    }),
    urlencoded({
      limit: config.bodyLimit,
      extended: false,
      verify: keepRawBody,
    }),
    // The parsed callback answered in front of the router with the route's own work.
    paymentNotifyFastPath(app, await app.resolve(PinoLogger)),
  );
  // A body SSPanel agents sent that cannot be parsed is answered in their shape too.
  express.use(SSPANEL_PATH, sspanelParseErrors);
  // XrayR's well-formed traffic reports, parsed above, answered in front of the router with the
  // route's own key check, budget, service and error shape; anything else passes through.
  express.use(nodeReportFastPath(app));
  // express.json itself: Nest's useBodyParser keeps `verify` for its raw-body option.
  express.use(
    json({
      limit: config.bodyLimit,
      type: ['application/json', '+json'],
      verify: refuseDeepJson,
    }),
  );
  express.useBodyParser('urlencoded', {
    limit: config.bodyLimit,
    extended: false,
  });
  // The node-API responses carry their own ETags; Express must not add or answer them itself.
  express.set('etag', false);
  // X-Forwarded-For only from the proxies TRUST_PROXY names (off by default): otherwise any
  // client could rotate the header past the per-IP limits.
  express.set('trust proxy', config.trustProxy);
  // Not even on node routes (helmet, which also drops it, skips them).
  express.disable('x-powered-by');
  // SIGTERM/SIGINT: drain HTTP, close the pool and Redis (see GracefulShutdownService), then
  // exit 0 so orchestrators record a clean stop and pino's buffers flush on 'exit'.
  app.enableShutdownHooks([], { useProcessExit: true });
  answerUnmatchedWithJson(express);
  // Subscription fetches (`GET|HEAD /sub/:token[/:format]`, `/link/:token`) answered on the
  // HTTP server's request listener, in front of Express, with the route's own service, budget,
  // helmet headers, metrics and access line; anything the route's DTO or guard would treat
  // differently goes on to Express as it came.
  mountSubscriptionFastPath(app, browserHeaders);
  await setupOpenApi(app);
}

type Handle = (
  req: Request,
  res: Response,
  done?: (err?: unknown) => void,
) => void;

/**
 * Nest answers unknown paths under its prefix routers; any other path (`/api/...`, `/nope`) fell
 * through to Express's final handler, an HTML "Cannot GET" page. The app's final handler instead
 * answers every such request with the JSON 404 envelope (an error that reached it: its mapping).
 */
function answerUnmatchedWithJson(express: NestExpressApplication): void {
  const instance = express.getHttpAdapter().getInstance() as unknown as {
    handle: Handle;
  };
  const handle = instance.handle.bind(instance);
  instance.handle = (req, res, done) =>
    handle(
      req,
      res,
      done ??
        ((err?: unknown) => {
          if (res.headersSent) return;
          const mapped = mapException(
            err ?? new NotFoundException(`Cannot ${req.method} ${req.path}`),
            req,
            exceptionLogger,
          );
          writeMappedHead(res, mapped).json(mapped.body);
        }),
    );
}
