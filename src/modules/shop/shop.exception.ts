import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum ShopErrorCode {
  SHOP_NOT_FOUND = 'SHOP_NOT_FOUND',
  SHOP_NOT_AVAILABLE = 'SHOP_NOT_AVAILABLE',
  CLASS_DOWNGRADE = 'CLASS_DOWNGRADE',
  INSUFFICIENT_BALANCE = 'INSUFFICIENT_BALANCE',
  COUPON_NOT_FOUND = 'COUPON_NOT_FOUND',
  COUPON_EXPIRED = 'COUPON_EXPIRED',
  COUPON_NOT_APPLICABLE = 'COUPON_NOT_APPLICABLE',
  COUPON_LIMIT_REACHED = 'COUPON_LIMIT_REACHED',
  COUPON_USED_UP = 'COUPON_USED_UP',
  COUPON_CODE_TAKEN = 'COUPON_CODE_TAKEN',
  PLAN_PRICE_INVALID = 'PLAN_PRICE_INVALID',
  COUPON_INVALID = 'COUPON_INVALID',
}

const STATUS: Record<ShopErrorCode, HttpStatus> = {
  SHOP_NOT_FOUND: HttpStatus.NOT_FOUND,
  SHOP_NOT_AVAILABLE: HttpStatus.CONFLICT,
  CLASS_DOWNGRADE: HttpStatus.CONFLICT,
  // 409 rather than 402: the request is fine, the account's state does not allow it (README).
  INSUFFICIENT_BALANCE: HttpStatus.CONFLICT,
  COUPON_NOT_FOUND: HttpStatus.BAD_REQUEST,
  COUPON_EXPIRED: HttpStatus.BAD_REQUEST,
  COUPON_NOT_APPLICABLE: HttpStatus.BAD_REQUEST,
  COUPON_LIMIT_REACHED: HttpStatus.BAD_REQUEST,
  COUPON_USED_UP: HttpStatus.BAD_REQUEST,
  COUPON_CODE_TAKEN: HttpStatus.CONFLICT,
  // Rows an adopted database holds that no purchase may use (the admin routes refuse them).
  PLAN_PRICE_INVALID: HttpStatus.CONFLICT,
  COUPON_INVALID: HttpStatus.CONFLICT,
};

export class ShopException extends DomainException {
  constructor(code: ShopErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
