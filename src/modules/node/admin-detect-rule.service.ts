import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DetectList } from '../../database/entities/index.js';
import { NodeErrorCode, NodeException } from './node.exception.js';
import {
  AdminDetectRuleCreateDto,
  AdminDetectRuleDto,
  AdminDetectRuleUpdateDto,
} from './dto/admin-detect-rule.dto.js';

/**
 * The audit rules agents fetch from `/mod_mu/func/detect_rules` (built per request with its
 * ETag, so a change reaches agents on their next poll). A handful of rows: repository API only.
 */
@Injectable()
export class AdminDetectRuleService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(DetectList);
  }

  async list(): Promise<AdminDetectRuleDto[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map((r) =>
      AdminDetectRuleDto.from(r),
    );
  }

  async create(dto: AdminDetectRuleCreateDto): Promise<AdminDetectRuleDto> {
    const result = await this.repo.insert({
      name: dto.name,
      text: dto.text ?? '',
      regex: dto.regex,
      type: dto.type,
    });
    return this.get(Number(result.identifiers[0].id));
  }

  async update(
    id: number,
    dto: AdminDetectRuleUpdateDto,
  ): Promise<AdminDetectRuleDto> {
    const values = Object.fromEntries(
      Object.entries(dto).filter(([, v]) => v !== undefined),
    );
    if (Object.keys(values).length === 0) {
      throw new NodeException(
        NodeErrorCode.NOTHING_TO_UPDATE,
        'Give at least one field to change',
      );
    }
    if (((await this.repo.update({ id }, values)).affected ?? 0) === 0)
      throw this.notFound(id);
    return this.get(id);
  }

  async remove(id: number): Promise<{ id: number }> {
    if (((await this.repo.delete({ id })).affected ?? 0) === 0)
      throw this.notFound(id);
    return { id };
  }

  private async get(id: number): Promise<AdminDetectRuleDto> {
    const row = await this.repo.findOne({ where: { id } });
    if (!row) throw this.notFound(id);
    return AdminDetectRuleDto.from(row);
  }

  private notFound(id: number): NodeException {
    return new NodeException(
      NodeErrorCode.DETECT_RULE_NOT_FOUND,
      `Detect rule ${id} not found`,
    );
  }
}
