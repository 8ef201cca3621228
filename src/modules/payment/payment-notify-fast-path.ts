import type { INestApplication } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { PinoLogger } from 'nestjs-pino';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../common/http/all-exceptions.filter.js';
import { requestIdFor } from '../logging/logging.module.js';
import { logRequestCompleted } from '../logging/request-completed.js';
import { labelAsRoute } from '../metrics/metrics.service.js';
import type { CallbackRequest } from './gateways/payment-gateway.js';
import {
  answerNotify,
  callbackOf,
  NOTIFY_ROUTE,
} from './payment-notify.controller.js';
import { PaymentNotifyService } from './payment-notify.service.js';

/** `/<gateway>` under the notify prefix, a name as configured (nothing for Express to decode). */
const GATEWAY_PATH = /^\/([A-Za-z0-9_-]{1,64})$/;

/**
 * Gateway callbacks (`GET|POST /payment/notify/:gateway`) answered in front of the router,
 * mounted on the notify prefix right after its body parsers. Past those, the Express router
 * (a layer per route), pino-http and Nest's guard, pipe and interceptor chain cost a notify
 * about a fifth of its CPU, and nothing in that chain applies to it: the route is public, has
 * no rate limit, takes no DTO and answers raw.
 *
 * It is the route's own work, not a second implementation: the controller and this call the
 * same `answerNotify` with the same `callbackOf`; an error is answered through the global
 * filter's own mapping (`mapException`). What the route adds around it is done here:
 * - only `GET`/`POST` of exactly `/<gateway>` with a plain name, and no Origin (CORS stays with
 *   the normal chain); anything else goes to the route;
 * - `X-Request-Id` set, and the work run in a logging context bound to the request (as
 *   pino-http binds it), so the payment log lines of the notify carry its request id;
 * - counted in `panel_http_request_duration_seconds` under the route pattern (the metrics
 *   middleware runs before this) and pino-http's completion line written at its level.
 */
export function paymentNotifyFastPath(
  app: INestApplication,
  logger: PinoLogger,
): (req: Request, res: Response, next: NextFunction) => void {
  const notify = app.get(PaymentNotifyService);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    if (req.headers.origin !== undefined) return next();
    const match = GATEWAY_PATH.exec(req.path);
    if (!match) return next();
    const started = process.hrtime.bigint();
    (req as Request & { id?: string }).id = requestIdFor(req, res);
    labelAsRoute(req, NOTIFY_ROUTE);
    const callback = callbackOf(
      req as RawBodyRequest<Request>,
      req.headers as CallbackRequest['headers'],
    );
    void logger.runInContext(
      () => answer(notify, match[1], callback, req, res, started),
      { bindings: { req } },
    );
  };
}

async function answer(
  notify: PaymentNotifyService,
  gateway: string,
  callback: CallbackRequest,
  req: Request,
  res: Response,
  started: bigint,
): Promise<void> {
  try {
    await answerNotify(notify, res, gateway, callback);
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
