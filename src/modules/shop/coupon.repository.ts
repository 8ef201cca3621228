import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Coupon } from '../../database/entities/index.js';

export type NewCoupon = Omit<Coupon, 'id' | 'used'>;

/** SQL of the `coupon` table. */
@Injectable()
export class CouponRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findByCode(code: string, manager?: EntityManager): Promise<Coupon | null> {
    return this.m(manager).findOne(Coupon, { where: { code } });
  }

  findById(id: number): Promise<Coupon | null> {
    return this.m().findOne(Coupon, { where: { id } });
  }

  list(): Promise<Coupon[]> {
    return this.m().find(Coupon, { order: { id: 'ASC' } });
  }

  async insert(coupon: NewCoupon): Promise<number> {
    const result = await this.m().insert(Coupon, { ...coupon, used: 0 });
    return Number(result.identifiers[0].id);
  }

  async update(id: number, values: Partial<NewCoupon>): Promise<boolean> {
    if (Object.keys(values).length === 0)
      return (await this.m().countBy(Coupon, { id })) > 0;
    const result = await this.m().update(Coupon, { id }, values);
    return (result.affected ?? 0) > 0;
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.m().delete(Coupon, { id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts one use, only while `used < total_limit` (0 = unlimited): the conditional update
   * means concurrent purchases by different users can never exceed the total.
   */
  async countUse(manager: EntityManager, id: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Coupon)
      .set({ used: () => 'used + 1' })
      .where('id = :id', { id })
      .andWhere('(total_limit = 0 OR used < total_limit)')
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
