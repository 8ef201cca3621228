import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum LedgerErrorCode {
  BALANCE_OUT_OF_RANGE = 'BALANCE_OUT_OF_RANGE',
}

const STATUS: Record<LedgerErrorCode, HttpStatus> = {
  BALANCE_OUT_OF_RANGE: HttpStatus.CONFLICT,
};

export class LedgerException extends DomainException {
  constructor(code: LedgerErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
