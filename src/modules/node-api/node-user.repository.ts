import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  addTrafficQuery,
  aliveIpCountsQuery,
  servableUsersQuery,
  ServableScope,
  TrafficDelta,
} from './node-sql.js';
import { Quote, runStructured } from '../../database/raw-sql.js';
import { billableUserIdsQuery, type NodeScope } from '../node/node-sql.js';

/** A `user` row as the driver returns it, limited to the selected columns. */
export type RawUserRow = Record<string, string | number | null>;

/** SQL on `user` for the node API: the servable-user list and traffic increments. */
@Injectable()
export class NodeUserRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  findServable(
    columns: readonly string[],
    scope: ServableScope | null,
    now: Date,
  ): Promise<RawUserRow[]> {
    const { sql, params } = servableUsersQuery(this.q, columns, scope, now);
    return this.dataSource.query<RawUserRow[]>(sql, params);
  }

  /** user id → distinct IPs seen by any node since `since` (unix). */
  async aliveIpCounts(since: number): Promise<Map<number, number>> {
    const { sql, params } = aliveIpCountsQuery(this.q, since);
    const rows = await this.dataSource.query<{ userid: number; n: number }[]>(
      sql,
      params,
    );
    return new Map(rows.map((r) => [Number(r.userid), Number(r.n)]));
  }

  /** One statement for the chunk; returns how many of its users exist in the node's scope (matched rows). */
  async addTraffic(
    manager: EntityManager,
    rows: readonly TrafficDelta[],
    unixNow: number,
    scope: NodeScope,
  ): Promise<number> {
    const { sql, params } = addTrafficQuery(this.q, rows, unixNow, scope);
    const result = await runStructured(manager, sql, params);
    return result.affected ?? 0;
  }

  /** Which of `ids` exist in the node's scope (the rows addTraffic updated). */
  async findBillableIds(
    manager: EntityManager,
    ids: readonly number[],
    scope: NodeScope,
  ): Promise<Set<number>> {
    const { sql, params } = billableUserIdsQuery(this.q, ids, scope);
    const rows = await manager.query<{ id: number }[]>(sql, params);
    return new Set(rows.map((r) => Number(r.id)));
  }
}
