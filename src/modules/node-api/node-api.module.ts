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
import { UniProxyConfigService } from './uniproxy/uniproxy-config.service.js';
import { UniProxyNodeService } from './uniproxy/uniproxy-node.service.js';
import { UniProxyReportService } from './uniproxy/uniproxy-report.service.js';
import { UniProxyUserService } from './uniproxy/uniproxy-user.service.js';
import { UniProxyController } from './uniproxy/uniproxy.controller.js';
import { UniProxyRepository } from './uniproxy/uniproxy.repository.js';

/**
 * The node agents' API: one service layer (user-list resolver, traffic ingestion, node info)
 * behind three dialects, the seed `/app/api/v0/node` routes, SSPanel's `/mod_mu` and V2Board's
 * UniProxy (`/api/v1/server/UniProxy`), on top of the node domain (NodeModule). Exports nothing:
 * its user-list cache listens to NODES_CHANGED and USERS_ENTITLEMENTS_CHANGED (common/events)
 * instead of being called by other modules.
 */
@Module({
  imports: [NodeModule],
  controllers: [
    NodeSeedController,
    SspanelMuController,
    SspanelFuncController,
    UniProxyController,
  ],
  providers: [
    NodeUserRepository,
    TrafficReportRepository,
    NodeCacheService,
    NodeUserListService,
    NodeTrafficService,
    NodeInfoService,
    UniProxyRepository,
    UniProxyNodeService,
    UniProxyConfigService,
    UniProxyUserService,
    UniProxyReportService,
  ],
})
export class NodeApiModule {}
