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
import type { PaymentCallback } from '../../../database/entities/index.js';

const OUTCOMES = [
  'credited',
  'already_paid',
  'ignored',
  'rejected',
  'mismatch',
  'unavailable',
  'error',
];

export class AdminCallbacksQuery extends PaginationQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  @Matches(/^[a-z0-9_-]+$/, { message: 'gateway must be a gateway name' })
  gateway?: string;

  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` })
  outcome?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  order_id?: number;
}

export class AdminCallbackDto {
  id: number;
  gateway: string;
  /** `notify` or `reconcile`. */
  source: string;
  order_id: number | null;
  tradeno: string | null;
  outcome: string;
  reason: string | null;
  /** The amount the callback claimed, in `currency`. */
  amount: number | null;
  currency: string | null;
  reference: string | null;
  /** Gateway specifics (BEPUSDT: actual_amount, block_transaction_id). */
  detail: Record<string, string> | null;
  /** Unix seconds. */
  created_at: number;

  static from(c: PaymentCallback): AdminCallbackDto {
    return {
      id: Number(c.id),
      gateway: c.gateway,
      source: c.source,
      order_id: c.paylistId,
      tradeno: c.tradeno,
      outcome: c.outcome,
      reason: c.reason,
      amount: c.amount === null ? null : Number(c.amount),
      currency: c.currency,
      reference: c.reference,
      detail: c.detail
        ? (JSON.parse(c.detail) as Record<string, string>)
        : null,
      created_at: c.createdAt,
    };
  }
}

export class AdminCallbackListDto {
  callbacks: AdminCallbackDto[];
  count: number;
}

export class ReconcileSummaryDto {
  asked: number;
  credited: number;
  failed: number;
}
