import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

/** pino-http's level for a finished request (its `customLogLevel`): errors and 5xx, 4xx, the rest. */
export function requestLogLevel(
  res: Pick<ServerResponse, 'statusCode'>,
  err?: Error,
): 'error' | 'warn' | 'info' {
  return err || res.statusCode >= 500
    ? 'error'
    : res.statusCode >= 400
      ? 'warn'
      : 'info';
}

/**
 * pino-http's completion line, written the way its middleware would (at its level for the
 * status), for a request a fast path answered in front of it. The request serializer logs the
 * path only (the query may carry a key).
 */
export function logRequestCompleted(
  req: Request,
  res: Response,
  seconds: number,
): void {
  const logger = PinoLogger.root;
  const level = requestLogLevel(res);
  if (!logger?.isLevelEnabled(level)) return;
  logger[level](
    { req, res, responseTime: Math.round(seconds * 1000) },
    'request completed',
  );
}
