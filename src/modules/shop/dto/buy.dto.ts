import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto.js';

export class BuyDto {
  @IsInt({ message: 'shop_id must be a positive integer' })
  @Min(1, { message: 'shop_id must be a positive integer' })
  @Max(2_147_483_647)
  shop_id: number;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^[\w-]+$/, {
    message: 'coupon must be letters, digits, - or _',
  })
  coupon?: string;

  @IsOptional()
  @IsBoolean()
  auto_renew?: boolean;

  /** Buy a lower level than the current unexpired one, replacing it. */
  @IsOptional()
  @IsBoolean()
  allow_downgrade?: boolean;
}

/** `?limit=` (default 20, max 100) and `?offset=`. */
export class BoughtQueryDto extends PaginationQueryDto {}
