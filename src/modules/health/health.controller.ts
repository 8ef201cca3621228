import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
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
  @HealthCheck()
  readiness() {
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
