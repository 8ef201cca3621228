import { Injectable, Logger } from '@nestjs/common';
import { SSPANEL_API_VERSION, SSPANEL_APP_NAME } from './node-api.constants.js';
import { nodeNotFound } from '../node/node.exception.js';
import { EtaggedReply, etagged } from './etag.js';
import { NodeConfigRow, NodeRepository } from '../node/node.repository.js';
import { NodeStateService } from '../node/node-state.service.js';
import { NodeTelemetryService } from '../node/node-telemetry.service.js';
import { agentCustomConfig } from '../node/protocol/index.js';

/** Seed `GET /node/info/:node_id`. */
export interface SeedNodeInfo {
  id: number;
  name: string;
  server: string;
  method: string;
  node_speedlimit: number;
  node_class: number;
  node_group: number;
  traffic_rate: number;
  sort: number;
  custom_config: Record<string, unknown>;
  /** `now - node_heartbeat < NODE_OFFLINE_AFTER_S`. */
  online: boolean;
  node_heartbeat: number;
  node_online: number;
}

/** A node's configuration (and its audit rules) as each dialect shows it to its agent. */
@Injectable()
export class NodeInfoService {
  private readonly logger = new Logger(NodeInfoService.name);

  constructor(
    private readonly nodes: NodeRepository,
    private readonly state: NodeStateService,
    private readonly telemetry: NodeTelemetryService,
  ) {}

  /** `/mod_mu/func/detect_rules` with its ETag (a few rows: built per request). */
  async detectRules(ifNoneMatch: string | undefined): Promise<EtaggedReply> {
    const data = await this.telemetry.detectRules();
    return etagged({ ret: 1, data }, ifNoneMatch);
  }

  /**
   * `/mod_mu/nodes/:id/info`, shaped for XrayR's NodeInfoResponse: numbers where it decodes
   * numbers, `server` and `type` strings, `version` digits and dots (>= 2023.2), custom_config
   * with the string-typed values XrayR expects. No live values: the ETag changes only with the
   * configuration.
   */
  async sspanelInfo(
    nodeId: number,
    ifNoneMatch: string | undefined,
  ): Promise<EtaggedReply> {
    const node = await this.find(nodeId);
    const data = {
      node_group: node.nodeGroup,
      node_class: node.nodeClass,
      node_speedlimit: node.nodeSpeedlimit,
      traffic_rate: node.trafficRate,
      sort: node.sort,
      server: node.server,
      custom_config: this.customConfig(node),
      type: SSPANEL_APP_NAME,
      version: SSPANEL_API_VERSION,
    };
    return etagged({ ret: 1, data }, ifNoneMatch);
  }

  async seedInfo(nodeId: number): Promise<SeedNodeInfo> {
    const node = await this.find(nodeId);
    return {
      id: node.id,
      name: node.name,
      server: node.server,
      method: node.method,
      node_speedlimit: node.nodeSpeedlimit,
      node_class: node.nodeClass,
      node_group: node.nodeGroup,
      traffic_rate: node.trafficRate,
      sort: node.sort,
      custom_config: this.customConfig(node),
      online: this.state.isOnline(node.nodeHeartbeat),
      node_heartbeat: node.nodeHeartbeat,
      node_online: node.nodeOnline,
    };
  }

  /** The stored settings overlaid with what the node protocol model resolved. */
  private customConfig(node: NodeConfigRow): Record<string, unknown> {
    const { config, problems } = agentCustomConfig(node);
    if (problems) {
      this.logger.warn(
        `node ${node.id}: settings the protocol model cannot read, sent as stored: ${JSON.stringify(problems)}`,
      );
    }
    return config;
  }

  private async find(nodeId: number): Promise<NodeConfigRow> {
    const node = await this.nodes.findConfig(nodeId);
    if (!node) throw nodeNotFound(nodeId);
    return node;
  }
}
