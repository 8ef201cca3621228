import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { requestIdFor } from '../logging/logging.module.js';
import { logRequestCompleted } from '../logging/request-completed.js';
import { labelAsRoute } from '../metrics/metrics.service.js';
import { clearRateLimitHeaders } from '../throttle/throttle-hit.js';
import { canonicalNodeId } from './dto/node-query.dto.js';
import {
  isWellFormedReport,
  type SspanelTrafficBody,
} from './dto/traffic-report.pipe.js';
import {
  countNodeHit,
  type NodeFastKit,
  nodeFastKit,
  noteDialect,
} from './node-fast-path.js';
import { NodeTrafficService } from './node-traffic.service.js';
import { sendSspanelError } from './sspanel-exception.filter.js';
import {
  SSPANEL_TRAFFIC_ROUTE,
  SspanelMuController,
} from './sspanel-mu.controller.js';

/** The route's answer to an applied (or deduplicated) report, as Express's `res.json` sends it. */
const OK = Buffer.from('{"ret":1,"msg":"ok"}');

/** A report the fast path may answer: the node and the well-formed body. */
interface Report {
  nodeId: number;
  body: SspanelTrafficBody;
}

/**
 * XrayR's traffic report (`POST /mod_mu/users/traffic`, every node every cycle) answered in
 * front of the router. Past the body parser, the Express router's layers, pino-http's request
 * context and Nest's guard, pipe and interceptor chain cost a 10-entry report about as much CPU
 * as its own transaction (--cpu-prof of bench:node).
 *
 * The route's own work, not a second implementation: the same `NodeTrafficService.ingest` (one
 * transaction, the dedup claim, the node rate, unknown users skipped), its answer, and any error
 * written by the route's own filter (`sendSspanelError`). What the route adds around it is done
 * with the route's pieces, in the route's order:
 * - only `POST` of exactly the route path, no Origin (CORS stays with the normal chain), a query
 *   NodeIdQueryPipe takes as is (`key`, `muKey`, a plain positive `node_id`) and a body
 *   SspanelTrafficPipe passes on as it came (`isWellFormedReport`); anything else goes to the
 *   route, whose pipes refuse it with their own messages;
 * - NodeKeyGuard's check (a wrong key goes to the route: its 401), then the hit against the
 *   `node` budget under ThrottlerGuard's key for the route, with its headers (blocked: the
 *   route's 429, the hit not counted again);
 * - after success, the dialect noted as NodeDialectInterceptor does.
 * Mounted after the node paths' body parsers (the body is parsed and size-checked as for the
 * route) and after the metrics timer, which counts it under the route pattern; `X-Request-Id`
 * is echoed and pino-http's completion line written.
 */
export function nodeReportFastPath(
  app: INestApplication,
): (req: Request, res: Response, next: NextFunction) => void {
  const kit = nodeFastKit(app);
  if (!kit) return (_req, _res, next) => next();
  const traffic = app.get(NodeTrafficService);

  return (req, res, next) => {
    const report = reportOf(req);
    if (!report || !kit.keyCheck.matches(req)) return next();
    const started = process.hrtime.bigint();
    countNodeHit(
      kit.throttle,
      SspanelMuController.name,
      'userTraffic' satisfies keyof SspanelMuController,
      req,
      res,
    ).then(
      (counted) => {
        if (!counted) {
          clearRateLimitHeaders(res);
          return next();
        }
        void answer(kit, traffic, report, req, res, started);
      },
      () => {
        clearRateLimitHeaders(res);
        next();
      },
    );
  };
}

/** Only `POST` of exactly the route, no Origin, the canonical query and a well-formed body. */
function reportOf(req: Request): Report | null {
  if (req.method !== 'POST' || req.path !== SSPANEL_TRAFFIC_ROUTE) return null;
  if (req.headers.origin !== undefined) return null;
  const nodeId = canonicalNodeId(req.query, true);
  if (typeof nodeId !== 'number') return null;
  const body: unknown = req.body;
  return isWellFormedReport(body) ? { nodeId, body } : null;
}

/** The route's work and its answer, or the error as the route's filter answers it. */
async function answer(
  kit: NodeFastKit,
  traffic: NodeTrafficService,
  report: Report,
  req: Request,
  res: Response,
  started: bigint,
): Promise<void> {
  (req as Request & { id?: string }).id = requestIdFor(req, res);
  labelAsRoute(req, SSPANEL_TRAFFIC_ROUTE);
  try {
    await traffic.ingest(report.nodeId, report.body.data);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': OK.length,
    });
    res.end(OK);
    noteDialect(kit, report.nodeId, 'sspanel');
  } catch (err) {
    sendSspanelError(err, req, res);
  }
  logRequestCompleted(
    req,
    res,
    Number(process.hrtime.bigint() - started) / 1e9,
  );
}
