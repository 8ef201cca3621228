import type { Request, Response } from 'express';
import {
  exceptionLogger,
  mapException,
  writeMappedHead,
} from '../../../common/http/all-exceptions.filter.js';
import { dialectErrors } from '../../../common/http/dialect-errors.js';

/**
 * Every UniProxy error as V2Board renders one: `{"message": "…"}` with the status the global
 * mapping gives it (4xx for everything the agent can fix or we refuse; 500 only for a bug,
 * logged, never detailed). Both agents treat ≥ 400 as a failed call; a 200 would be decoded as
 * data (XrayR: "server port must > 0"; V2bX: nil-pointer panic on the missing base_config).
 */
export function sendUniProxyError(
  exception: unknown,
  req: Request,
  res: Response,
): void {
  const mapped = mapException(exception, req, exceptionLogger);
  if (res.headersSent) return;
  writeMappedHead(res, mapped).json({ message: mapped.body.msg });
}

/**
 * The UniProxy controller's filter, and the same shape for errors raised before routing on
 * UniProxy paths (the raw body parser's 413; mounted on the prefix after its parser).
 */
export const {
  Filter: UniProxyExceptionFilter,
  parseErrors: uniproxyParseErrors,
} = dialectErrors('UniProxyExceptionFilter', sendUniProxyError);
