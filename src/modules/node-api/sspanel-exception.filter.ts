import type { Request, Response } from 'express';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../common/http/all-exceptions.filter.js';
import { dialectErrors } from '../../common/http/dialect-errors.js';
import { NodeException } from '../node/node.exception.js';

/**
 * SSPanel agents expect exactly `{"ret":0,"msg":"..."}`; codes are for our own clients. Business
 * refusals (NodeException) answer with HTTP 200: agents read `ret`, and XrayR logs a status above
 * 400 as a transport failure. Everything else (401 bad key, 400 bad input, 429, 500) keeps the
 * status the global mapping gives it.
 */
export function sendSspanelError(
  exception: unknown,
  req: Request,
  res: Response,
): void {
  const mapped = mapException(exception, req, exceptionLogger);
  if (res.headersSent) return;
  const status = exception instanceof NodeException ? 200 : mapped.status;
  writeMappedHead(res, { ...mapped, status }).json({
    ret: 0,
    msg: mapped.body.msg,
  });
}

/**
 * The SSPanel controllers' filter (every error of theirs in SSPanel's shape), and the same shape
 * for errors raised before routing on SSPanel paths (mounted on the prefix after its parsers).
 */
export const {
  Filter: SspanelExceptionFilter,
  parseErrors: sspanelParseErrors,
} = dialectErrors('SspanelExceptionFilter', sendSspanelError);
