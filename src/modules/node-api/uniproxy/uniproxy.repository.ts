import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Quote } from '../../../database/raw-sql.js';

/** SQL the UniProxy dialect needs beyond the shared node API's: the device-limit alive list. */
@Injectable()
export class UniProxyRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  /**
   * user id → distinct IPs alive on any node since `since` (unix), for users with a device
   * limit (`node_connector > 0`) only, ascending by id. Reads the same `alive_ip` rows as the
   * SSPanel dialect's device limit.
   */
  async deviceLimitedAliveCounts(since: number): Promise<[number, number][]> {
    const q = this.q;
    const rows = await this.dataSource.query<
      { userid: number | string; n: number | string }[]
    >(
      `SELECT a.${q('userid')} AS userid, COUNT(DISTINCT a.${q('ip')}) AS n` +
        ` FROM ${q('alive_ip')} a INNER JOIN ${q('user')} u ON u.${q('id')} = a.${q('userid')}` +
        ` WHERE a.${q('datetime')} >= ? AND u.${q('node_connector')} > 0` +
        ` GROUP BY a.${q('userid')} ORDER BY a.${q('userid')}`,
      [since],
    );
    return rows.map((r) => [Number(r.userid), Number(r.n)]);
  }
}
