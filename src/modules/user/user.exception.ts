import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum UserErrorCode {
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  NOTHING_TO_UPDATE = 'NOTHING_TO_UPDATE',
  BALANCE_WOULD_GO_NEGATIVE = 'BALANCE_WOULD_GO_NEGATIVE',
  ZERO_AMOUNT = 'ZERO_AMOUNT',
}

const STATUS: Record<UserErrorCode, HttpStatus> = {
  USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  NOTHING_TO_UPDATE: HttpStatus.BAD_REQUEST,
  BALANCE_WOULD_GO_NEGATIVE: HttpStatus.CONFLICT,
  ZERO_AMOUNT: HttpStatus.BAD_REQUEST,
};

export class UserException extends DomainException {
  constructor(code: UserErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
