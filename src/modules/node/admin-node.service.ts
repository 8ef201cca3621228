import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  CommonErrorCode,
  CommonException,
} from '../../common/errors/common.exception.js';
import {
  NODES_CHANGED,
  NodesChangedEvent,
} from '../../common/events/domain-events.js';
import { SsNode } from '../../database/entities/index.js';
import {
  customConfigProblems,
  normalizeCustomConfig,
} from './custom-config.js';
import {
  NodeErrorCode,
  NodeException,
  nodeNotFound,
} from './node.exception.js';
import { NodeRepository } from './node.repository.js';
import { type NodeSource, readNodeProtocol } from './protocol/index.js';
import { NodeStateService } from './node-state.service.js';
import {
  AdminNodeCreateDto,
  AdminNodeDto,
  AdminNodeUpdateDto,
} from './dto/admin-node.dto.js';

/** What an insert sets when the operator leaves it out (see NodeRepository.insert). */
const NEW_NODE_DEFAULTS: Omit<NodeSource, 'name' | 'server' | 'sort'> = {
  id: 0,
  method: 'aes-256-gcm',
  customConfig: null,
  trafficRate: 1,
  nodeClass: 0,
  nodeGroup: 0,
  nodeSpeedlimit: 0,
};

/**
 * The node as it would be stored must read as a protocol the agents and subscriptions serve:
 * 400 with a problem per field otherwise, nothing saved.
 */
function assertReadable(source: NodeSource): void {
  const reading = readNodeProtocol(source);
  if (reading.ok) return;
  throw new CommonException(
    CommonErrorCode.VALIDATION_FAILED,
    `Invalid input: ${Object.values(reading.problems).join('; ')}`,
    reading.problems,
  );
}

/** Operator actions on nodes; every change is announced (NODES_CHANGED: agents' caches drop). */
@Injectable()
export class AdminNodeService {
  constructor(
    private readonly nodes: NodeRepository,
    private readonly state: NodeStateService,
    private readonly events: EventEmitter2,
  ) {}

  /** Nodes with their online state (heartbeat age, and the live Redis snapshots). */
  async list(
    limit: number,
    offset: number,
  ): Promise<{ nodes: AdminNodeDto[]; count: number }> {
    const [rows, count] = await this.nodes.list(limit, offset);
    return { nodes: await Promise.all(rows.map((n) => this.view(n))), count };
  }

  async get(id: number): Promise<AdminNodeDto> {
    const node = await this.nodes.findById(id);
    if (!node) throw nodeNotFound(id);
    return this.view(node);
  }

  async create(dto: AdminNodeCreateDto): Promise<AdminNodeDto> {
    const values = this.toColumns(dto);
    assertReadable({ ...NEW_NODE_DEFAULTS, ...values } as NodeSource);
    const id = await this.nodes.insert(values);
    await this.events.emitAsync(NODES_CHANGED, new NodesChangedEvent(id));
    return this.get(id);
  }

  async update(id: number, dto: AdminNodeUpdateDto): Promise<AdminNodeDto> {
    const values = this.toColumns(dto);
    if (Object.keys(values).length === 0) {
      throw new NodeException(
        NodeErrorCode.NOTHING_TO_UPDATE,
        'Give at least one field to change',
      );
    }
    const current = await this.nodes.findById(id);
    if (!current) throw nodeNotFound(id);
    assertReadable(Object.assign(new SsNode(), current, values));
    if (!(await this.nodes.update(id, values))) throw nodeNotFound(id);
    await this.events.emitAsync(NODES_CHANGED, new NodesChangedEvent(id));
    return this.get(id);
  }

  /** `type = 0`: agents then get an empty user list (`ret: 1, data: []`). */
  async disable(id: number): Promise<AdminNodeDto> {
    return this.update(id, { type: 0 });
  }

  private async view(node: SsNode): Promise<AdminNodeDto> {
    const live = await this.state.liveState(node.id);
    return AdminNodeDto.from(
      node,
      this.state.isOnline(node.nodeHeartbeat),
      live,
      normalizeCustomConfig(node.customConfig),
      readNodeProtocol(node),
    );
  }

  private toColumns(dto: AdminNodeUpdateDto): Partial<SsNode> {
    if (dto.custom_config !== undefined) {
      const problems = customConfigProblems(dto.custom_config);
      if (Object.keys(problems).length > 0) {
        throw new CommonException(
          CommonErrorCode.VALIDATION_FAILED,
          `Invalid input: ${Object.values(problems).join('; ')}`,
          problems,
        );
      }
    }
    return {
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.server !== undefined && { server: dto.server }),
      ...(dto.sort !== undefined && { sort: dto.sort }),
      ...(dto.type !== undefined && { type: dto.type }),
      ...(dto.traffic_rate !== undefined && { trafficRate: dto.traffic_rate }),
      ...(dto.node_class !== undefined && { nodeClass: dto.node_class }),
      ...(dto.node_group !== undefined && { nodeGroup: dto.node_group }),
      ...(dto.node_speedlimit !== undefined && {
        nodeSpeedlimit: dto.node_speedlimit,
      }),
      ...(dto.node_connector !== undefined && {
        nodeConnector: dto.node_connector,
      }),
      ...(dto.node_bandwidth_limit !== undefined && {
        nodeBandwidthLimit: dto.node_bandwidth_limit,
      }),
      ...(dto.bandwidthlimit_resetday !== undefined && {
        bandwidthlimitResetday: dto.bandwidthlimit_resetday,
      }),
      ...(dto.method !== undefined && { method: dto.method }),
      ...(dto.info !== undefined && { info: dto.info }),
      ...(dto.custom_config !== undefined && {
        customConfig: JSON.stringify(dto.custom_config),
      }),
    };
  }
}
