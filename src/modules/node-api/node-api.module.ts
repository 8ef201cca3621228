import { Module } from '@nestjs/common';
import { NodeModule } from '../node/node.module.js';
import { NodeCacheService } from './node-cache.service.js';
import { NodeInfoService } from './node-info.service.js';
import { NodeSeedController } from './node-seed.controller.js';
import { NodeTrafficService } from './node-traffic.service.js';
import { NodeUserListService } from './node-user-list.service.js';
import { NodeUserRepository } from './node-user.repository.js';
import { SspanelFuncController } from './sspanel-func.controller.js';
import { SspanelMuController } from './sspanel-mu.controller.js';
import { TrafficReportRepository } from './traffic-report.repository.js';

/**
 * The node agents' API: one service layer (user-list resolver, traffic ingestion, node info)
 * behind two dialects, the seed `/app/api/v0/node` routes and SSPanel's `/mod_mu`, on top of the
 * node domain (NodeModule). Exports nothing: its user-list cache listens to NODES_CHANGED and
 * USERS_ENTITLEMENTS_CHANGED (common/events) instead of being called by other modules.
 */
@Module({
  imports: [NodeModule],
  controllers: [NodeSeedController, SspanelMuController, SspanelFuncController],
  providers: [
    NodeUserRepository,
    TrafficReportRepository,
    NodeCacheService,
    NodeUserListService,
    NodeTrafficService,
    NodeInfoService,
  ],
})
export class NodeApiModule {}
