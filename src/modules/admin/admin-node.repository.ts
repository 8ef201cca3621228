import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SsNode } from '../../database/entities/index.js';

/** The operator's queries on `ss_node`. */
@Injectable()
export class AdminNodeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(SsNode);
  }

  list(limit: number, offset: number): Promise<[SsNode[], number]> {
    return this.repo.findAndCount({
      order: { id: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  findById(id: number): Promise<SsNode | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Sets every legacy NOT NULL column without a default (strict SQL mode on adopted databases). */
  async insert(values: Partial<SsNode>): Promise<number> {
    const result = await this.repo.insert({
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

  async update(id: number, values: Partial<SsNode>): Promise<boolean> {
    const result = await this.repo.update({ id }, values);
    return (result.affected ?? 0) > 0;
  }
}
