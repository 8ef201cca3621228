import { Transform } from 'class-transformer';
import {
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { isMoneyNumber } from '../../../common/money.js';

/** A JSON number with at most 2 decimals (1e-7 included: refused, never a 500). */
function IsMoneyNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isMoneyNumber', validator: { validate: isMoneyNumber } },
    options,
  );
}

/** "12.50" is accepted as well as 12.5; anything else is left for @IsNumber to refuse. */
const decimalString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,10}(\.\d{1,2})?$/.test(value.trim())
    ? Number(value)
    : value;

export class CreateOrderDto {
  /** Amount to top up: at most 2 decimals, within the gateway's bounds (`GET /payment/gateways`). */
  @Transform(decimalString)
  @IsMoneyNumber({ message: 'total must be a number with at most 2 decimals' })
  total: number;

  @IsString()
  @MaxLength(32)
  @Matches(/^[a-z0-9_-]+$/, { message: 'gateway must be a gateway name' })
  gateway: string;
}
