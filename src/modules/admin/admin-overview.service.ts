import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Paylist, SsNode, User } from '../../database/entities/index.js';

export interface AdminOverview {
  users: number;
  enabled_users: number;
  nodes: number;
  paid_orders: number;
}

@Injectable()
export class AdminOverviewService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Headline counts for the operator's dashboard. */
  async overview(): Promise<AdminOverview> {
    const m = this.dataSource.manager;
    const [users, enabled, nodes, paid] = await Promise.all([
      m.count(User),
      m.count(User, { where: { enable: 1 } }),
      m.count(SsNode),
      m.count(Paylist, { where: { status: 1 } }),
    ]);
    return { users, enabled_users: enabled, nodes, paid_orders: paid };
  }
}
