import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Min,
} from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

export class PaymentEnv {
  /** Enables `POST /payment/debug/confirm`; refused in production. */
  @Transform(toBool)
  @IsBoolean()
  PAYMENT_DEBUG = false;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MIN = 1;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MAX = 10_000;

  /** Unpaid orders older than this become expired (status −1) in the hourly job. */
  @Transform(toNumber)
  @IsInt()
  @Min(60)
  PAYMENT_EXPIRE_S = 3600;

  /** epay gateway (names alipay, wechat, epay); disabled unless all three are set. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  EPAY_URL?: string;

  @IsOptional()
  @IsString()
  EPAY_PID?: string;

  @IsOptional()
  @IsString()
  EPAY_KEY?: string;

  /** The manual gateway (admins mark orders paid). */
  @Transform(toBool)
  @IsBoolean()
  PAYMENT_MANUAL_ENABLED = true;
}

export const paymentConfig = registerAs('payment', () => {
  const env = readEnv(PaymentEnv);
  return {
    debug: env.PAYMENT_DEBUG,
    min: env.PAYMENT_MIN,
    max: env.PAYMENT_MAX,
    expireS: env.PAYMENT_EXPIRE_S,
    epay:
      env.EPAY_URL && env.EPAY_PID && env.EPAY_KEY
        ? {
            url: env.EPAY_URL.replace(/\/+$/, ''),
            pid: env.EPAY_PID,
            key: env.EPAY_KEY,
          }
        : undefined,
    manualEnabled: env.PAYMENT_MANUAL_ENABLED,
  };
});
