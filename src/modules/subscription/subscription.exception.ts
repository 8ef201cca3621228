import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum SubscriptionErrorCode {
  /** `?types=` names something that is not a protocol. */
  SUBSCRIPTION_BAD_TYPES = 'SUBSCRIPTION_BAD_TYPES',
  /** `/link/:token?mu=` outside 2, ss, vmess, vless, trojan. */
  SUBSCRIPTION_BAD_MU = 'SUBSCRIPTION_BAD_MU',
  /** Admin reset for a user that does not exist. */
  SUBSCRIPTION_USER_NOT_FOUND = 'SUBSCRIPTION_USER_NOT_FOUND',
  /** The database (or the renderers) cannot answer now; the client retries later. */
  SUBSCRIPTION_UNAVAILABLE = 'SUBSCRIPTION_UNAVAILABLE',
}

const STATUS: Record<SubscriptionErrorCode, HttpStatus> = {
  SUBSCRIPTION_BAD_TYPES: HttpStatus.BAD_REQUEST,
  SUBSCRIPTION_BAD_MU: HttpStatus.BAD_REQUEST,
  SUBSCRIPTION_USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  SUBSCRIPTION_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

export class SubscriptionException extends DomainException {
  constructor(code: SubscriptionErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
