import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import {
  AliveIp,
  DetectList,
  DetectLog,
} from '../../database/entities/index.js';
import type { Quote } from '../../database/raw-sql.js';
import { TRAFFIC_CHUNK_SIZE } from './node.constants.js';
import { billableUserIdsQuery, type NodeScope } from './node-sql.js';

export interface AliveIpPair {
  userId: number;
  ip: string;
}

/** SQL for what agents report besides traffic: alive IPs, audit rules and audit hits. */
@Injectable()
export class NodeTelemetryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Refreshes `datetime` of the (node, user, ip) rows that exist and inserts the rest, in a
   * constant number of statements per 1,000 pairs (alive_ip has no unique key to upsert on:
   * adopted databases hold duplicates). Pairs of users the node may not bill are skipped;
   * returns how many.
   */
  async upsertAliveIps(
    manager: EntityManager,
    nodeId: number,
    scope: NodeScope,
    pairs: readonly AliveIpPair[],
    unixNow: number,
  ): Promise<number> {
    let skipped = 0;
    for (let i = 0; i < pairs.length; i += TRAFFIC_CHUNK_SIZE) {
      const all = pairs.slice(i, i + TRAFFIC_CHUNK_SIZE);
      // Unknown users and users outside the node's scope get no alive IP (one read per chunk).
      const billable = await this.billableIds(
        manager,
        [...new Set(all.map((p) => p.userId))],
        scope,
      );
      const chunk = all.filter((p) => billable.has(p.userId));
      skipped += all.length - chunk.length;
      if (chunk.length === 0) continue;
      const existing = await manager.find(AliveIp, {
        select: { id: true, userid: true, ip: true },
        where: {
          nodeid: nodeId,
          userid: In([...new Set(chunk.map((p) => p.userId))]),
        },
      });
      const seen = new Set<string>();
      const refresh: number[] = [];
      const wanted = new Set(chunk.map((p) => `${p.userId}|${p.ip}`));
      for (const row of existing) {
        const key = `${row.userid}|${row.ip}`;
        if (!wanted.has(key)) continue;
        seen.add(key);
        refresh.push(row.id);
      }
      if (refresh.length > 0)
        await manager.update(
          AliveIp,
          { id: In(refresh) },
          { datetime: unixNow },
        );
      const fresh = chunk
        .filter((p) => !seen.has(`${p.userId}|${p.ip}`))
        .map((p) => ({
          nodeid: nodeId,
          userid: p.userId,
          ip: p.ip,
          datetime: unixNow,
        }));
      if (fresh.length > 0) await manager.insert(AliveIp, fresh);
    }
    return skipped;
  }

  private async billableIds(
    manager: EntityManager,
    ids: readonly number[],
    scope: NodeScope,
  ): Promise<Set<number>> {
    const q: Quote = (name) => manager.connection.driver.escape(name);
    const { sql, params } = billableUserIdsQuery(q, ids, scope);
    const rows = await manager.query<{ id: number }[]>(sql, params);
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** Distinct users with an alive IP on this node since `since` (unix). */
  async countOnlineUsers(
    nodeId: number,
    since: number,
    manager?: EntityManager,
  ): Promise<number> {
    const row = await (manager ?? this.dataSource.manager)
      .createQueryBuilder(AliveIp, 'a')
      .select('COUNT(DISTINCT a.userid)', 'n')
      .where('a.nodeid = :nodeId', { nodeId })
      .andWhere('a.datetime >= :since', { since })
      .getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }

  findDetectRules(): Promise<DetectList[]> {
    return this.dataSource.manager.find(DetectList, {
      select: { id: true, name: true, text: true, regex: true, type: true },
      order: { id: 'ASC' },
    });
  }

  async insertDetectLogs(
    manager: EntityManager,
    rows: Omit<DetectLog, 'id'>[],
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += TRAFFIC_CHUNK_SIZE)
      await manager.insert(DetectLog, rows.slice(i, i + TRAFFIC_CHUNK_SIZE));
  }
}
