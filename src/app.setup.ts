import { INestApplication, RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, urlencoded } from 'express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { appConfig } from './config/index.js';
import { setupOpenApi } from './modules/docs/openapi.js';
import { MetricsService } from './modules/metrics/metrics.service.js';
import { nodeFastPath } from './modules/node-api/node-fast-path.js';

export const API_PREFIX = 'app/api/v0';

/**
 * Routes outside the API prefix: probes, metrics, docs, the SSPanel node dialect and the
 * subscription URLs clients import.
 */
export const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.GET },
  { path: 'ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'docs', method: RequestMethod.ALL },
  { path: 'docs/{*rest}', method: RequestMethod.ALL },
  { path: 'docs-json', method: RequestMethod.GET },
  { path: 'mod_mu/{*rest}', method: RequestMethod.ALL },
  { path: 'sub/{*rest}', method: RequestMethod.ALL },
  { path: 'link/{*rest}', method: RequestMethod.ALL },
];

/** Is this served path (`/health`, `/mod_mu/users`, ...) outside the API prefix? */
export function isUnprefixedPath(path: string): boolean {
  return /^\/(health|ready|metrics|docs|docs-json|mod_mu|sub|link)(\/|$)/.test(
    path,
  );
}

/** The node agents' routes: SSPanel's `/mod_mu` and the seed `/app/api/v0/node`. */
export function isNodeAgentPath(path: string): boolean {
  return (
    path.startsWith('/mod_mu/') ||
    path === '/mod_mu' ||
    path.startsWith(`/${API_PREFIX}/node/`) ||
    path === `/${API_PREFIX}/node`
  );
}

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
  express.use(nodeFastPath(app, API_PREFIX));
  // First in the chain, so requests rejected by the body parsers (413) are timed too.
  express.use(app.get(MetricsService).httpMiddleware());
  // Browser hardening headers for everything but the node agents' JSON API (XrayR and the seed
  // agents are Go HTTP clients: CSP, HSTS, frame and MIME-sniffing rules mean nothing to them).
  const browserHeaders = helmet();
  express.use((req: Request, res: Response, next: NextFunction) => {
    if (isNodeAgentPath(req.path)) return next();
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
  express.use(
    ['/mod_mu', `/${API_PREFIX}/node`],
    json({ limit: config.nodeBodyLimit }),
    urlencoded({ limit: config.nodeBodyLimit, extended: false }),
  );
  express.useBodyParser('json', {
    limit: config.bodyLimit,
    type: ['application/json', '+json'],
  });
  express.useBodyParser('urlencoded', {
    limit: config.bodyLimit,
    extended: false,
  });
  // The node-API responses carry their own ETags; Express must not add or answer them itself.
  express.set('etag', false);
  express.set('trust proxy', 'loopback, linklocal, uniquelocal');
  // SIGTERM/SIGINT: drain HTTP, close the pool and Redis (see GracefulShutdownService), then
  // exit 0 so orchestrators record a clean stop and pino's buffers flush on 'exit'.
  app.enableShutdownHooks([], { useProcessExit: true });
  await setupOpenApi(app, API_PREFIX, isUnprefixedPath);
}
