import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommonErrorCode } from '../errors/common.exception.js';
import {
  isDependencyUnavailable,
  RETRY_AFTER_S,
} from '../errors/dependency-errors.js';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH } from './json-depth.js';
import { DomainException } from '../errors/domain.exception.js';
import { ErrorEnvelope } from './envelope.js';

export interface Mapped {
  status: number;
  body: ErrorEnvelope;
  /** Response headers that go with it (`Retry-After` on a 503). */
  headers?: Record<string, string>;
}

/** The answer to anything failing because the database or Redis is unreachable. */
export const UNAVAILABLE: Mapped = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  body: {
    ret: 0,
    msg: 'Service temporarily unavailable, retry shortly',
    code: CommonErrorCode.SERVICE_UNAVAILABLE,
  },
  headers: { 'Retry-After': String(RETRY_AFTER_S) },
};

/** Sends a mapped error's status and headers (the body is the caller's: dialects reshape it). */
export function writeMappedHead(res: Response, mapped: Mapped): Response {
  for (const [name, value] of Object.entries(mapped.headers ?? {}))
    res.setHeader(name, value);
  return res.status(mapped.status);
}

const STATUS_CODES: Partial<Record<number, CommonErrorCode>> = {
  400: CommonErrorCode.VALIDATION_FAILED,
  401: CommonErrorCode.UNAUTHORIZED,
  403: CommonErrorCode.FORBIDDEN,
  404: CommonErrorCode.NOT_FOUND,
  413: CommonErrorCode.PAYLOAD_TOO_LARGE,
  429: CommonErrorCode.RATE_LIMITED,
  503: CommonErrorCode.SERVICE_UNAVAILABLE,
};

/** body-parser errors carry `status` and `type` but are not HttpExceptions. */
interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * Maps any error to a status and the `{ret: 0, msg, code}` envelope. An unreachable database or
 * Redis is a 503 with `Retry-After` (logged as a warning); only a bug maps to 500: its detail
 * goes to `logger` with the request id, never to the client. Shared by the global
 * filter and the dialect filters that reshape the body (node-api's SSPanel filter).
 */
export function mapException(
  exception: unknown,
  req: Request & { id?: unknown },
  logger: Logger,
): Mapped {
  if (exception instanceof DomainException) {
    return {
      status: exception.status,
      body: {
        ret: 0,
        msg: exception.message,
        code: exception.code,
        ...(exception.errors && { errors: exception.errors }),
      },
    };
  }
  if (isDependencyUnavailable(exception)) {
    logger.warn(
      {
        err: exception,
        reqId: req.id,
        method: req.method,
        url: req.originalUrl?.split('?')[0],
      },
      'Dependency unavailable',
    );
    return UNAVAILABLE;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return internal(exception, req, logger);
    // The Express adapter wraps body-parser and URI errors; name them plainly.
    if (exception.cause)
      return mapParserError(exception.cause as BodyParserError, status);
    return {
      status,
      body: {
        ret: 0,
        msg: messageOf(exception),
        code: STATUS_CODES[status] ?? `HTTP_${status}`,
      },
    };
  }
  const parser = exception as BodyParserError;
  const status = parser?.status ?? parser?.statusCode;
  if (
    parser?.expose &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  ) {
    return mapParserError(parser, status);
  }
  return internal(exception, req, logger);
}

function mapParserError(parser: BodyParserError, status: number): Mapped {
  if (status === 413) {
    return {
      status,
      body: {
        ret: 0,
        msg: 'Request body too large',
        code: CommonErrorCode.PAYLOAD_TOO_LARGE,
      },
    };
  }
  const msg =
    parser.type === 'entity.parse.failed'
      ? 'Malformed JSON body'
      : parser.type === JSON_TOO_DEEP
        ? `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`
        : 'Malformed request';
  return {
    status,
    body: { ret: 0, msg, code: CommonErrorCode.MALFORMED_BODY },
  };
}

function internal(
  exception: unknown,
  req: Request & { id?: unknown },
  logger: Logger,
): Mapped {
  logger.error(
    {
      err: exception,
      reqId: req.id,
      method: req.method,
      url: req.originalUrl?.split('?')[0],
    },
    'Unhandled error',
  );
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: {
      ret: 0,
      msg: 'Internal server error',
      code: CommonErrorCode.INTERNAL_ERROR,
    },
  };
}

/** The logger of every mapped error, whichever filter maps it. */
export const exceptionLogger = new Logger('ExceptionFilter');

/**
 * Turns every error into the `{ret: 0, msg, code}` envelope with a real HTTP status. Routes that
 * answer in another dialect's shape bring their own filter (node-api's SspanelExceptionFilter).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: unknown }>();
    const res = http.getResponse<Response>();
    const mapped = mapException(exception, req, exceptionLogger);
    if (res.headersSent) return;
    writeMappedHead(res, mapped).json(mapped.body);
  }
}
