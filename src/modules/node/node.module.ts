import { Module } from '@nestjs/common';
import { AdminDetectRuleController } from './admin-detect-rule.controller.js';
import { AdminDetectRuleService } from './admin-detect-rule.service.js';
import { AdminNodeController } from './admin-node.controller.js';
import { AdminNodeService } from './admin-node.service.js';
import { NodeMaintenanceRepository } from './node-maintenance.repository.js';
import { NodeMaintenanceService } from './node-maintenance.service.js';
import { NodeStateService } from './node-state.service.js';
import { NodeTelemetryRepository } from './node-telemetry.repository.js';
import { NodeTelemetryService } from './node-telemetry.service.js';
import { NodeRepository } from './node.repository.js';

/**
 * The node domain: `ss_node` and what hangs off it (live state, telemetry, custom_config, the
 * audit rules), the operator's routes on nodes and detect rules, and the nodes' maintenance
 * steps. The agents' dialects (node-api) and the scheduler import it; it imports neither, and
 * announces node edits with NODES_CHANGED (common/events) instead of reaching into their caches.
 */
@Module({
  controllers: [AdminNodeController, AdminDetectRuleController],
  providers: [
    NodeRepository,
    NodeStateService,
    NodeTelemetryRepository,
    NodeTelemetryService,
    NodeMaintenanceRepository,
    NodeMaintenanceService,
    AdminNodeService,
    AdminDetectRuleService,
  ],
  exports: [
    NodeRepository,
    NodeStateService,
    NodeTelemetryService,
    NodeMaintenanceService,
  ],
})
export class NodeModule {}
