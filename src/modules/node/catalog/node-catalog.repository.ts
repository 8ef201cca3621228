import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SsNode } from '../../../database/entities/index.js';
import type { NodeSource } from '../protocol/index.js';

/** `ss_node.type` of an enabled (shown) node. */
const ENABLED = 1;

/** SQL of the node catalog: every enabled node, in the order users see them. */
@Injectable()
export class NodeCatalogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Enabled nodes (`type = 1`) in `sort`, then id order: only the columns the model reads. */
  async findEnabledNodes(manager?: EntityManager): Promise<NodeSource[]> {
    const rows = await (manager ?? this.dataSource.manager).find(SsNode, {
      select: {
        id: true,
        name: true,
        sort: true,
        server: true,
        method: true,
        customConfig: true,
        trafficRate: true,
        nodeClass: true,
        nodeGroup: true,
        nodeSpeedlimit: true,
      },
      where: { type: ENABLED },
      order: { sort: 'ASC', id: 'ASC' },
    });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      sort: r.sort,
      server: r.server,
      method: r.method,
      customConfig: r.customConfig,
      trafficRate: r.trafficRate,
      nodeClass: r.nodeClass,
      nodeGroup: r.nodeGroup,
      nodeSpeedlimit: r.nodeSpeedlimit,
    }));
  }
}
