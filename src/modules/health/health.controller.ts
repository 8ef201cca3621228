import {
  Controller,
  Get,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../../common/decorators/public.decorator.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { RedisService } from '../redis/redis.service.js';

const CHECK_TIMEOUT_MS = 1500;

/** Liveness and readiness for orchestrators; outside the API prefix and envelope. */
@Public()
@RawResponse()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Liveness: the process answers; no dependency is checked. */
  @Get('health')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: database ping, Redis ping (when configured), migrations applied; 503 names what failed. */
  @Get('ready')
  async readiness(
    @Res({ passthrough: true }) res: Response,
  ): Promise<HealthCheckResult> {
    try {
      return await this.checkDependencies();
    } catch (err) {
      // Terminus reports a failed check as a 503 exception carrying the per-check result; the
      // global filter would turn any 5xx into a generic 500, so answer it here.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  private checkDependencies(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => ({
            mode: (await this.redis.ping()) === null ? 'memory' : 'redis',
          }))
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators.check('migrations').attempt(async () => {
          if (await this.dataSource.showMigrations())
            throw new Error('pending migrations');
          return {};
        }),
    ]);
  }
}
