import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GracefulShutdownService } from './graceful-shutdown.service.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [
    TerminusModule.forRoot({
      errorLogStyle: 'json',
      gracefulShutdownTimeoutMs: 0,
    }),
  ],
  controllers: [HealthController],
  providers: [GracefulShutdownService],
})
export class HealthModule {}
