import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { NodeException } from '../node/node.exception.js';

/**
 * SSPanel business errors are `{"ret":0,"msg":"..."}` with HTTP 200: agents read `ret`, and
 * XrayR logs a status above 400 as a transport failure. Auth (401) and bad input (4xx) keep
 * their statuses through the global filter, which already answers /mod_mu with `{ret, msg}`.
 */
@Catch(NodeException)
export class SspanelExceptionFilter implements ExceptionFilter {
  catch(exception: NodeException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.status(200).json({ ret: 0, msg: exception.message });
  }
}
