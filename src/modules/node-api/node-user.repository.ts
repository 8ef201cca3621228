import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  addTrafficQuery,
  aliveIpCountsQuery,
  servableUsersQuery,
  ServableScope,
  TrafficDelta,
} from './node-sql.js';
import type { Quote, SqlSession } from '../../database/raw-sql.js';
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
  addTraffic(
    session: SqlSession,
    rows: readonly TrafficDelta[],
    unixNow: number,
    scope: NodeScope,
  ): Promise<number> {
    return session.affected(addTrafficQuery(this.q, rows, unixNow, scope));
  }

  /** Which of `ids` exist in the node's scope (the rows addTraffic updated). */
  async findBillableIds(
    session: SqlSession,
    ids: readonly number[],
    scope: NodeScope,
  ): Promise<Set<number>> {
    const rows = await session.query<{ id: number }[]>(
      billableUserIdsQuery(this.q, ids, scope),
    );
    return new Set(rows.map((r) => Number(r.id)));
  }
}
