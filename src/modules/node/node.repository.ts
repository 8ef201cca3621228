import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SsNode, SsNodeInfo } from '../../database/entities/index.js';
import {
  poolQuery,
  type Quote,
  type SqlSession,
} from '../../database/raw-sql.js';
import { numberTransformer } from '../../database/transformers.js';
import {
  addNodeBandwidthQuery,
  NODE_CONFIG_COLUMNS,
  nodeConfigQuery,
  nodeIdsQuery,
  type NodeScope,
  nodeTrafficRateQuery,
} from './node-sql.js';

/** What a report from a node needs: its rate and the scope of users it may bill. */
export interface NodeReportTarget {
  id: number;
  trafficRate: number;
  scope: NodeScope;
}

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

/** SQL for `ss_node` and its load reports (`ss_node_info`): the agents' reads and writes and the operator's. */
@Injectable()
export class NodeRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SsNode);
  }

  /**
   * Raw SQL (nodeConfigQuery): UniProxy reads it on every poll, and a TypeORM find costs that
   * route about a third of its CPU. Values as the entity loads them: numbers through the
   * entity's transformer, text as stored.
   */
  async findConfig(id: number): Promise<NodeConfigRow | null> {
    const { sql, params } = nodeConfigQuery(this.q, id);
    const [row] = await this.dataSource.query<
      Record<keyof NodeConfigRow, unknown>[]
    >(sql, params);
    if (!row) return null;
    const num = (key: keyof NodeConfigRow) =>
      numberTransformer.from(row[key]) as number;
    return {
      id: num('id'),
      name: row.name as string,
      type: num('type'),
      server: row.server as string,
      method: row.method as string,
      sort: num('sort'),
      trafficRate: num('trafficRate'),
      nodeClass: num('nodeClass'),
      nodeGroup: num('nodeGroup'),
      nodeSpeedlimit: num('nodeSpeedlimit'),
      nodeBandwidth: num('nodeBandwidth'),
      nodeBandwidthLimit: num('nodeBandwidthLimit'),
      nodeHeartbeat: num('nodeHeartbeat'),
      nodeOnline: num('nodeOnline'),
      customConfig: row.customConfig as string | null,
    } satisfies Record<keyof typeof NODE_CONFIG_COLUMNS, unknown>;
  }

  /** Raw SQL: read on every traffic and alive-IP report (rate, and whom the node may bill). */
  async findReportTarget(id: number): Promise<NodeReportTarget | null> {
    // On every traffic report: straight on the driver's pool (poolQuery).
    const [row] = await poolQuery<
      {
        id: number;
        traffic_rate: number | string;
        node_class: number | string;
        node_group: number | string;
      }[]
    >(this.dataSource, nodeTrafficRateQuery(this.q, id));
    return row
      ? {
          id: Number(row.id),
          trafficRate: Number(row.traffic_rate),
          scope: {
            nodeClass: Number(row.node_class),
            nodeGroup: Number(row.node_group),
          },
        }
      : null;
  }

  async exists(id: number): Promise<boolean> {
    return (await this.repo().count({ where: { id } })) > 0;
  }

  async listIds(): Promise<number[]> {
    const rows = await poolQuery<{ id: number | string }[]>(
      this.dataSource,
      nodeIdsQuery(this.q),
    );
    return rows.map((r) => Number(r.id));
  }

  /** Returns false when the node does not exist. */
  async touchHeartbeat(id: number, unixNow: number): Promise<boolean> {
    const result = await this.repo().update({ id }, { nodeHeartbeat: unixNow });
    return (result.affected ?? 0) > 0;
  }

  /** Raw (unrated) bytes the node carried, as an atomic increment; also a heartbeat. */
  async addBandwidth(
    session: SqlSession,
    id: number,
    bytes: number,
    unixNow: number,
  ): Promise<void> {
    await session.query(addNodeBandwidthQuery(this.q, id, bytes, unixNow));
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

  /** The operator's page of nodes, whole rows (admin views). */
  list(limit: number, offset: number): Promise<[SsNode[], number]> {
    return this.repo().findAndCount({
      order: { id: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  findById(id: number): Promise<SsNode | null> {
    return this.repo().findOne({ where: { id } });
  }

  /** Sets every legacy NOT NULL column without a default (strict SQL mode on adopted databases). */
  async insert(values: Partial<SsNode>): Promise<number> {
    const result = await this.repo().insert({
      type: 1,
      info: '',
      status: 'available',
      trafficRate: 1,
      nodeBandwidth: 0,
      nodeBandwidthLimit: 0,
      nodeBandwidthLastday: 0,
      nodeSpeedlimit: 0,
      ...values,
    });
    return Number(result.identifiers[0].id);
  }

  /** Returns false when the node does not exist. */
  async update(id: number, values: Partial<SsNode>): Promise<boolean> {
    const result = await this.repo().update({ id }, values);
    return (result.affected ?? 0) > 0;
  }

  async insertLoadReport(
    row: Omit<SsNodeInfo, 'id'>,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.dataSource.manager).insert(SsNodeInfo, row);
  }
}
