import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../common/http/all-exceptions.filter.js';
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

/** The SSPanel controllers' filter: every error of theirs in SSPanel's shape. */
@Catch()
export class SspanelExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    sendSspanelError(
      exception,
      http.getRequest<Request>(),
      http.getResponse<Response>(),
    );
  }
}

/**
 * The same shape for errors raised before routing on SSPanel paths (the body parsers: malformed
 * JSON, 413), which no controller filter sees. Mounted on the SSPanel prefix after its parsers.
 */
export function sspanelParseErrors(
  err: unknown,
  req: Request,
  res: Response,
  _next: NextFunction,
): void {
  sendSspanelError(err, req, res);
}
