import { Injectable } from '@nestjs/common';
import { notFound } from '../../common/errors/common.exception.js';
import { Shop } from '../../database/entities/index.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { CouponRepository, NewCoupon } from './coupon.repository.js';
import {
  CouponDto,
  CouponListDto,
  CreateCouponDto,
  CreatePlanDto,
  normalizeMoney,
  UpdateCouponDto,
  UpdatePlanDto,
} from './dto/admin-shop.dto.js';
import { PlanDto, PlanListDto } from './dto/shop-response.dto.js';
import { canonicalPlanContent } from './plan-content.js';
import { ShopErrorCode, ShopException } from './shop.exception.js';
import { NewPlan, ShopRepository } from './shop.repository.js';

/** Operators' plan and coupon management (`/admin/shop`). */
@Injectable()
export class ShopAdminService {
  constructor(
    private readonly shops: ShopRepository,
    private readonly coupons: CouponRepository,
  ) {}

  /** Every plan, on sale or not. */
  async listPlans(): Promise<PlanListDto> {
    const plans = await this.shops.listPlans(false);
    return { packages: plans.map((p) => PlanDto.from(p)), count: plans.length };
  }

  /** Saves a plan whose content passed PlanContentDto; stored in canonical form. */
  async createPlan(dto: CreatePlanDto): Promise<PlanDto> {
    const id = await this.shops.insertPlan({
      name: dto.name,
      price: normalizeMoney(dto.price),
      content: JSON.stringify(canonicalPlanContent(dto.content)),
      autoRenew: dto.auto_renew ?? 0,
      autoResetBandwidth: dto.auto_reset_bandwidth ?? 0,
      status: dto.status ?? 1,
    });
    return this.plan(id);
  }

  async updatePlan(id: number, dto: UpdatePlanDto): Promise<PlanDto> {
    const values: Partial<NewPlan> = {};
    if (dto.name !== undefined) values.name = dto.name;
    if (dto.price !== undefined) values.price = normalizeMoney(dto.price);
    if (dto.content !== undefined)
      values.content = JSON.stringify(canonicalPlanContent(dto.content));
    if (dto.auto_renew !== undefined) values.autoRenew = dto.auto_renew;
    if (dto.auto_reset_bandwidth !== undefined)
      values.autoResetBandwidth = dto.auto_reset_bandwidth;
    if (dto.status !== undefined) values.status = dto.status;
    if (!(await this.shops.updatePlan(id, values))) throw notFound('Plan');
    return this.plan(id);
  }

  /** Takes a plan off sale; it stays for history and existing renewals. */
  disablePlan(id: number): Promise<PlanDto> {
    return this.updatePlan(id, { status: 0 });
  }

  async listCoupons(): Promise<CouponListDto> {
    const rows = await this.coupons.list();
    return { coupons: rows.map((c) => CouponDto.from(c)), count: rows.length };
  }

  async createCoupon(dto: CreateCouponDto): Promise<CouponDto> {
    if (await this.coupons.findByCode(dto.code)) throw codeTaken(dto.code);
    const values: NewCoupon = {
      code: dto.code,
      onetime: dto.onetime,
      expire: dto.expire,
      shop: (dto.shop ?? []).join(','),
      credit: dto.credit,
      totalLimit: dto.total_limit ?? 0,
    };
    try {
      return await this.coupon(await this.coupons.insert(values));
    } catch (err) {
      // The UNIQUE index settles two admins creating the same code at once.
      if (isUniqueViolation(err)) throw codeTaken(dto.code);
      throw err;
    }
  }

  async updateCoupon(id: number, dto: UpdateCouponDto): Promise<CouponDto> {
    const values: Partial<NewCoupon> = {};
    if (dto.onetime !== undefined) values.onetime = dto.onetime;
    if (dto.expire !== undefined) values.expire = dto.expire;
    if (dto.shop !== undefined) values.shop = dto.shop.join(',');
    if (dto.credit !== undefined) values.credit = dto.credit;
    if (dto.total_limit !== undefined) values.totalLimit = dto.total_limit;
    if (!(await this.coupons.update(id, values))) throw notFound('Coupon');
    return this.coupon(id);
  }

  /** Deletes a coupon; `bought.coupon` keeps the code as text for history. */
  async deleteCoupon(id: number): Promise<{ id: number }> {
    if (!(await this.coupons.delete(id))) throw notFound('Coupon');
    return { id };
  }

  private async plan(id: number): Promise<PlanDto> {
    const plan: Shop | null = await this.shops.findPlan(id);
    if (!plan) throw notFound('Plan');
    return PlanDto.from(plan);
  }

  private async coupon(id: number): Promise<CouponDto> {
    const row = await this.coupons.findById(id);
    if (!row) throw notFound('Coupon');
    return CouponDto.from(row);
  }
}

function codeTaken(code: string): ShopException {
  return new ShopException(
    ShopErrorCode.COUPON_CODE_TAKEN,
    `Coupon code ${code} already exists`,
  );
}
