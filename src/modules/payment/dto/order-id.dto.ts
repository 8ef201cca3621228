import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

const MAX_ID = 2_147_483_647;

export class OrderIdParam {
  @Type(() => Number)
  @IsInt({ message: 'order_id must be a positive integer' })
  @Min(1)
  @Max(MAX_ID)
  order_id: number;
}

export class DebugConfirmDto {
  @IsInt({ message: 'order_id must be a positive integer' })
  @Min(1)
  @Max(MAX_ID)
  order_id: number;
}
