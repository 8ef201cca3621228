import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum AdminErrorCode {
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  NOTHING_TO_UPDATE = 'NOTHING_TO_UPDATE',
  BALANCE_WOULD_GO_NEGATIVE = 'BALANCE_WOULD_GO_NEGATIVE',
  ZERO_AMOUNT = 'ZERO_AMOUNT',
}

const STATUS: Record<AdminErrorCode, HttpStatus> = {
  USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  NOTHING_TO_UPDATE: HttpStatus.BAD_REQUEST,
  BALANCE_WOULD_GO_NEGATIVE: HttpStatus.CONFLICT,
  ZERO_AMOUNT: HttpStatus.BAD_REQUEST,
};

export class AdminException extends DomainException {
  constructor(code: AdminErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
