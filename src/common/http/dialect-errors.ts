import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  type Type,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Writes one error in a node dialect's own shape (from the global mapping's status and message). */
export type DialectErrorWriter = (
  exception: unknown,
  req: Request,
  res: Response,
) => void;

/**
 * A dialect's two error exits, from its one writer: the exception filter its controllers use
 * (`@UseFilters(...)`), and the Express error handler mounted on its prefix after its body
 * parsers, for errors raised before routing (malformed body, 413) that no controller filter sees.
 */
export function dialectErrors(
  name: string,
  write: DialectErrorWriter,
): {
  Filter: Type<ExceptionFilter>;
  parseErrors: (
    err: unknown,
    req: Request,
    res: Response,
    next: NextFunction,
  ) => void;
} {
  @Catch()
  class DialectExceptionFilter implements ExceptionFilter {
    catch(exception: unknown, host: ArgumentsHost): void {
      if (host.getType() !== 'http') throw exception;
      const http = host.switchToHttp();
      write(
        exception,
        http.getRequest<Request>(),
        http.getResponse<Response>(),
      );
    }
  }
  // Nest tells filters apart by class; each dialect's gets its own name.
  Object.defineProperty(DialectExceptionFilter, 'name', { value: name });
  return {
    Filter: DialectExceptionFilter,
    parseErrors: (err, req, res, _next) => write(err, req, res),
  };
}
