import { Module } from '@nestjs/common';
import { NodeMaintenanceRepository } from './node-maintenance.repository.js';
import { NodeMaintenanceService } from './node-maintenance.service.js';

/**
 * The node rules of the scheduler's jobs (dead nodes, telemetry pruning). A module of its own
 * beside NodeApiModule: the scheduler needs these two providers, not the agents' controllers.
 */
@Module({
  providers: [NodeMaintenanceService, NodeMaintenanceRepository],
  exports: [NodeMaintenanceService],
})
export class NodeMaintenanceModule {}
