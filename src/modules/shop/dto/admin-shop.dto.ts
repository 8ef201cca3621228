import { PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmptyObject,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { formatCents, toCents } from '../../../common/money.js';
import { Coupon } from '../../../database/entities/index.js';
import { PlanContentDto } from '../plan-content.js';
import { parseShopIds } from '../shop-purchase.service.js';

const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

export class CreatePlanDto {
  @IsString()
  @Length(1, 128)
  name: string;

  /** Decimal string or number with at most 2 decimals, e.g. "12.50". */
  @Type(() => String)
  @Matches(MONEY, {
    message: 'price must be a non-negative amount with at most 2 decimals',
  })
  price: string;

  @IsObject()
  @IsNotEmptyObject(
    { nullable: false },
    { message: 'content must set at least one key' },
  )
  @ValidateNested()
  @Type(() => PlanContentDto)
  content: PlanContentDto;

  /** Days between renewals, 0 = none. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  auto_renew?: number;

  @IsOptional()
  @IsIn([0, 1])
  auto_reset_bandwidth?: number;

  @IsOptional()
  @IsIn([0, 1])
  status?: number;
}

/** Every field optional; content, when given, is validated as on create. */
export class UpdatePlanDto extends PartialType(CreatePlanDto) {}

export class CreateCouponDto {
  @IsString()
  @Length(1, 64)
  @Matches(/^[\w-]+$/, { message: 'code must be letters, digits, - or _' })
  code: string;

  /** Uses per user, 0 = unlimited. */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  onetime: number;

  /** Unix expiry. */
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expire: number;

  /** Plan ids; empty or absent = every plan. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  shop?: number[];

  /** Percent off. */
  @IsInt()
  @Min(0)
  @Max(100)
  credit: number;

  /** Total uses, 0 = unlimited. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  total_limit?: number;
}

export class UpdateCouponDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  onetime?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expire?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  shop?: number[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  credit?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  total_limit?: number;
}

export class CouponDto {
  id: number;
  code: string;
  onetime: number;
  expire: number;
  shop: number[];
  credit: number;
  total_limit: number;
  used: number;

  static from(c: Coupon): CouponDto {
    return Object.assign(new CouponDto(), {
      id: c.id,
      code: c.code,
      onetime: c.onetime,
      expire: c.expire,
      shop: parseShopIds(c.shop),
      credit: c.credit,
      total_limit: c.totalLimit,
      used: c.used,
    });
  }
}

export class CouponListDto {
  coupons: CouponDto[];
  count: number;
}

/** "12.5" → "12.50" (exact, via integer cents). */
export function normalizeMoney(text: string): string {
  return formatCents(toCents(text));
}
