import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { appConfig } from '../../config/index.js';

/**
 * Stops accepting connections and waits for in-flight requests, at most `graceMs`; then cuts
 * whatever is left. Keep-alive sockets that go idle after their last response are closed as
 * they appear, so one idle client cannot hold the process for the whole grace period.
 * Resolves true when every request finished in time.
 */
export async function drainHttpServer(
  server: Server,
  graceMs: number,
): Promise<boolean> {
  if (!server.listening) return true;
  let timedOut = false;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    timedOut = true;
    server.closeAllConnections();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
  return !timedOut;
}

/**
 * The first step of shutdown (SIGTERM or `app.close()`): drain HTTP before anything it needs
 * goes away. It runs in `onModuleDestroy` of a non-global module, which Nest calls before the
 * global modules' destroy hooks (the cache store disconnects there) and before the
 * `onApplicationShutdown` hooks that close the TypeORM pool and Redis.
 */
@Injectable()
export class GracefulShutdownService implements OnModuleDestroy {
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(appConfig.KEY)
    private readonly config: ConfigType<typeof appConfig>,
  ) {}

  async onModuleDestroy(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      Server | undefined;
    if (!server?.listening) return;
    const graceMs = this.config.shutdownGraceS * 1000;
    this.logger.log(
      `Draining HTTP: no new connections, in-flight requests get up to ${this.config.shutdownGraceS}s`,
    );
    const drained = await drainHttpServer(server, graceMs);
    if (drained) this.logger.log('HTTP drained');
    else
      this.logger.warn(
        `Grace period of ${this.config.shutdownGraceS}s over: open connections were cut`,
      );
  }
}
