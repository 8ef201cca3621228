import { Injectable } from '@nestjs/common';
import {
  CommonErrorCode,
  CommonException,
} from '../../common/errors/common.exception.js';
import { SsNode } from '../../database/entities/index.js';
import {
  customConfigProblems,
  normalizeCustomConfig,
} from '../node-api/custom-config.js';
import { NodeCacheService } from '../node-api/node-cache.service.js';
import { NodeStateService } from '../node-api/node-state.service.js';
import { AdminErrorCode, AdminException } from './admin.exception.js';
import { AdminNodeRepository } from './admin-node.repository.js';
import {
  AdminNodeCreateDto,
  AdminNodeDto,
  AdminNodeUpdateDto,
} from './dto/admin-node.dto.js';

/** Operator actions on nodes; every change drops the node's cached user list. */
@Injectable()
export class AdminNodeService {
  constructor(
    private readonly nodes: AdminNodeRepository,
    private readonly state: NodeStateService,
    private readonly cache: NodeCacheService,
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
    if (!node) throw this.notFound(id);
    return this.view(node);
  }

  async create(dto: AdminNodeCreateDto): Promise<AdminNodeDto> {
    const id = await this.nodes.insert(this.toColumns(dto));
    return this.get(id);
  }

  async update(id: number, dto: AdminNodeUpdateDto): Promise<AdminNodeDto> {
    const values = this.toColumns(dto);
    if (Object.keys(values).length === 0) {
      throw new AdminException(
        AdminErrorCode.NOTHING_TO_UPDATE,
        'Give at least one field to change',
      );
    }
    if (!(await this.nodes.update(id, values))) throw this.notFound(id);
    await this.cache.invalidate(id);
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

  private notFound(id: number): AdminException {
    return new AdminException(
      AdminErrorCode.NODE_NOT_FOUND,
      `Node ${id} not found`,
    );
  }
}
