import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

/**
 * pino-http's completion line, written the way its middleware would (info level), for a request
 * a fast path answered in front of it. The request serializer logs the path only (the query may
 * carry a key).
 */
export function logRequestCompleted(
  req: Request,
  res: Response,
  seconds: number,
): void {
  const logger = PinoLogger.root;
  if (!logger?.isLevelEnabled('info')) return;
  logger.info(
    { req, res, responseTime: Math.round(seconds * 1000) },
    'request completed',
  );
}
