import { Type } from 'class-transformer';
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

export class BoughtQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset = 0;
}
