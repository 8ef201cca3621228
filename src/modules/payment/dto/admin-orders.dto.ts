import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto.js';
import { centsToNumber, toCents } from '../../../common/money.js';
import type { Paylist } from '../../../database/entities/index.js';

export class AdminOrdersQuery extends PaginationQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1, -1], { message: 'status must be 0, 1 or -1' })
  status?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  user_id?: number;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  @Matches(/^[a-z0-9_-]+$/, { message: 'gateway must be a gateway name' })
  gateway?: string;
}

export class AdminOrderDto {
  id: number;
  user_id: number;
  total: number;
  status: number;
  tradeno: string;
  gateway: string | null;
  callback_no: string | null;
  /** Unix seconds. */
  datetime: number;
  paid_at: number | null;

  static from(o: Paylist): AdminOrderDto {
    return {
      id: o.id,
      user_id: o.userid,
      total: centsToNumber(toCents(o.total)),
      status: o.status,
      tradeno: o.tradeno,
      gateway: o.gateway,
      callback_no: o.callbackNo,
      datetime: o.datetime,
      paid_at: o.paidAt,
    };
  }
}

export class AdminMarkPaidDto {
  /** Gateway to record when the order has none yet (default `manual`). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  @Matches(/^[a-z0-9_-]+$/, { message: 'gateway must be a gateway name' })
  gateway?: string;
}

export class AdminMarkedPaidDto {
  order_id: number;
  /** False when the order was already paid: nothing changed. */
  credited: boolean;
  new_balance: number | null;
}
