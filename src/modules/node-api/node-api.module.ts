import { Module } from '@nestjs/common';
import { NodeCacheService } from './node-cache.service.js';
import { NodeInfoService } from './node-info.service.js';
import { NodeSeedController } from './node-seed.controller.js';
import { NodeStateService } from './node-state.service.js';
import { NodeTelemetryRepository } from './node-telemetry.repository.js';
import { NodeTelemetryService } from './node-telemetry.service.js';
import { NodeTrafficService } from './node-traffic.service.js';
import { NodeUserListService } from './node-user-list.service.js';
import { NodeUserRepository } from './node-user.repository.js';
import { NodeRepository } from './node.repository.js';
import { SspanelFuncController } from './sspanel-func.controller.js';
import { SspanelMuController } from './sspanel-mu.controller.js';

/**
 * The node agents' API: one service layer (user-list resolver, traffic ingestion, node state and
 * info) behind two dialects, the seed `/app/api/v0/node` routes and SSPanel's `/mod_mu`.
 * Exports NodeCacheService (invalidate after changing users or nodes) and NodeStateService
 * (live node state for admin views).
 */
@Module({
  controllers: [NodeSeedController, SspanelMuController, SspanelFuncController],
  providers: [
    NodeRepository,
    NodeUserRepository,
    NodeTelemetryRepository,
    NodeCacheService,
    NodeStateService,
    NodeUserListService,
    NodeTrafficService,
    NodeTelemetryService,
    NodeInfoService,
  ],
  exports: [NodeCacheService, NodeStateService],
})
export class NodeApiModule {}
