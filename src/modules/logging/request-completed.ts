import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

/** pino-http's level for a finished request (its `customLogLevel`): 5xx error, 4xx warn. */
export function accessLogLevel(
  res: Pick<ServerResponse, 'statusCode'>,
  err?: Error,
): 'error' | 'warn' | 'info' {
  if (err || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

/**
 * Whether pino writes lines at `level` (LOG_LEVEL): lets a hot path skip building a line that
 * would be dropped. True before the root logger exists (then Nest's own logger decides).
 */
export function logLevelEnabled(level: 'error' | 'warn' | 'info'): boolean {
  const root = PinoLogger.root;
  return root ? root.isLevelEnabled(level) : true;
}

/**
 * pino-http's access line, written the way its middleware would (its level and message: "request
 * completed", or "request errored" with an error for a 5xx), for a request a fast path answered
 * in front of it. The request serializer logs the path only (the query may carry a key).
 */
export function logRequestCompleted(
  req: Request,
  res: Response,
  seconds: number,
): void {
  const logger = PinoLogger.root;
  const level = accessLogLevel(res);
  if (!logger?.isLevelEnabled(level)) return;
  const responseTime = Math.round(seconds * 1000);
  if (res.statusCode >= 500)
    logger[level](
      {
        req,
        res,
        err: new Error(`failed with status code ${res.statusCode}`),
        responseTime,
      },
      'request errored',
    );
  else logger[level]({ req, res, responseTime }, 'request completed');
}
