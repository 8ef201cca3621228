import { Injectable } from '@nestjs/common';
import { BoughtQueryDto } from './dto/buy.dto.js';
import {
  BoughtDto,
  BoughtListDto,
  PlanDto,
  PlanListDto,
} from './dto/shop-response.dto.js';
import { ShopRepository } from './shop.repository.js';

/** What users read: the plans on sale and their own purchase history. */
@Injectable()
export class ShopService {
  constructor(private readonly shops: ShopRepository) {}

  /** Plans with `status = 1`. */
  async listOnSale(): Promise<PlanListDto> {
    const plans = await this.shops.listPlans(true);
    return { packages: plans.map((p) => PlanDto.from(p)), count: plans.length };
  }

  /** The user's own purchases, newest first. */
  async history(userId: number, query: BoughtQueryDto): Promise<BoughtListDto> {
    const [rows, count] = await this.shops.findHistory(
      userId,
      query.limit,
      query.offset,
    );
    return { history: rows.map((r) => BoughtDto.from(r)), count };
  }
}
