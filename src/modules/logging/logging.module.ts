import { Module, RequestMethod } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { appConfig } from '../../config/index.js';
import { REDACTED_PATHS, scrubSecrets } from './log-redaction.js';
import { requestLogLevel } from './request-completed.js';

export { REDACTED_PATHS, scrubSecrets } from './log-redaction.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Probe and scrape routes answer every few seconds; their success lines are noise. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * The request id: a well-formed incoming `X-Request-Id`, else a new UUID; echoed as
 * `X-Request-Id`. pino-http's genReqId, also used by the node-API cache fast path.
 */
export function requestIdFor(
  req: IncomingMessage,
  res: ServerResponse,
): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && REQUEST_ID.test(incoming)
      ? incoming
      : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Where log lines go: stdout unless a stream is provided under this token (tests override it
 * to capture the log stream).
 */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** Structured JSON logs (pino) with a request id on every line, echoed as `X-Request-Id`. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: LOG_DESTINATION, useFactory: () => null }],
      inject: [appConfig.KEY, LOG_DESTINATION],
      useFactory: (
        app: ConfigType<typeof appConfig>,
        destination: DestinationStream | null,
      ) => {
        const options = {
          level: app.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          // Free-text arguments (messages, URLs an app logger prints) are scrubbed too.
          hooks: {
            logMethod(
              this: unknown,
              args: unknown[],
              method: (...a: unknown[]) => void,
            ) {
              method.apply(
                this,
                args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)),
              );
            },
          },
          genReqId: requestIdFor,
          autoLogging: {
            ignore: (req: IncomingMessage) =>
              QUIET_PATHS.has(req.url?.split('?')[0] ?? ''),
          },
          // The query string may carry the node key (`?key=`); log the path only.
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url?.split('?')[0],
            }),
            res: (res: { statusCode: number }) => ({
              statusCode: res.statusCode,
            }),
          },
          customLogLevel: (
            _req: IncomingMessage,
            res: ServerResponse,
            err?: Error,
          ) => requestLogLevel(res, err),
        };
        return {
          // One mount for every path. nestjs-pino's default mounts each route excluded from the
          // global prefix twice (its wildcard and the controller route), logging /mod_mu twice.
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: destination
            ? ([options, destination] as [typeof options, DestinationStream])
            : options,
        };
      },
    }),
  ],
})
export class LoggingModule {}
