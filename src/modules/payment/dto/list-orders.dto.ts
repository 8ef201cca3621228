import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto.js';

/** `GET /payment/orders`: the shared page (limit 1–100, default 20) and an optional status. */
export class ListOrdersQuery extends PaginationQueryDto {
  /** 0 unpaid, 1 paid, -1 expired; all when absent. */
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1, -1], { message: 'status must be 0, 1 or -1' })
  status?: number;
}
