import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export class ListOrdersQuery {
  /** 0 unpaid, 1 paid, -1 expired; all when absent. */
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1, -1], { message: 'status must be 0, 1 or -1' })
  status?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}
