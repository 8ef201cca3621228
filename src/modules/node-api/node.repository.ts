import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SsNode, SsNodeInfo } from '../../database/entities/index.js';
import {
  addNodeBandwidthQuery,
  nodeTrafficRateQuery,
  Quote,
} from './node-sql.js';

/** The `ss_node` columns the node API reads (never the whole row). */
export type NodeConfigRow = Pick<
  SsNode,
  | 'id'
  | 'name'
  | 'type'
  | 'server'
  | 'method'
  | 'sort'
  | 'trafficRate'
  | 'nodeClass'
  | 'nodeGroup'
  | 'nodeSpeedlimit'
  | 'nodeBandwidth'
  | 'nodeBandwidthLimit'
  | 'nodeHeartbeat'
  | 'nodeOnline'
  | 'customConfig'
>;

/** SQL for `ss_node` and its load reports (`ss_node_info`). */
@Injectable()
export class NodeRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SsNode);
  }

  findConfig(id: number): Promise<NodeConfigRow | null> {
    return this.repo().findOne({
      where: { id },
      select: {
        id: true,
        name: true,
        type: true,
        server: true,
        method: true,
        sort: true,
        trafficRate: true,
        nodeClass: true,
        nodeGroup: true,
        nodeSpeedlimit: true,
        nodeBandwidth: true,
        nodeBandwidthLimit: true,
        nodeHeartbeat: true,
        nodeOnline: true,
        customConfig: true,
      },
    });
  }

  /** Raw SQL: read on every traffic report. */
  async findTrafficRate(
    id: number,
  ): Promise<Pick<SsNode, 'id' | 'trafficRate'> | null> {
    const { sql, params } = nodeTrafficRateQuery(this.q, id);
    const [row] = await this.dataSource.query<
      { id: number; traffic_rate: number | string }[]
    >(sql, params);
    return row
      ? { id: Number(row.id), trafficRate: Number(row.traffic_rate) }
      : null;
  }

  async exists(id: number): Promise<boolean> {
    return (await this.repo().count({ where: { id } })) > 0;
  }

  async listIds(): Promise<number[]> {
    const rows = await this.repo().find({ select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** Returns false when the node does not exist. */
  async touchHeartbeat(id: number, unixNow: number): Promise<boolean> {
    const result = await this.repo().update({ id }, { nodeHeartbeat: unixNow });
    return (result.affected ?? 0) > 0;
  }

  /** Raw (unrated) bytes the node carried, as an atomic increment; also a heartbeat. */
  async addBandwidth(
    manager: EntityManager,
    id: number,
    bytes: number,
    unixNow: number,
  ): Promise<void> {
    const { sql, params } = addNodeBandwidthQuery(this.q, id, bytes, unixNow);
    await manager.query(sql, params);
  }

  /** Returns false when the node does not exist. */
  async setOnline(
    id: number,
    online: number,
    unixNow: number,
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id },
      { nodeOnline: online, nodeHeartbeat: unixNow },
    );
    return (result.affected ?? 0) > 0;
  }

  async insertLoadReport(
    row: Omit<SsNodeInfo, 'id'>,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.dataSource.manager).insert(SsNodeInfo, row);
  }
}
