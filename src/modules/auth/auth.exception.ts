import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum AuthErrorCode {
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVITE_CODE_INVALID = 'INVITE_CODE_INVALID',
  INVITE_CODE_REQUIRED = 'INVITE_CODE_REQUIRED',
  REGISTRATION_CLOSED = 'REGISTRATION_CLOSED',
}

const STATUS: Record<AuthErrorCode, HttpStatus> = {
  EMAIL_TAKEN: HttpStatus.CONFLICT,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  INVITE_CODE_INVALID: HttpStatus.BAD_REQUEST,
  INVITE_CODE_REQUIRED: HttpStatus.BAD_REQUEST,
  REGISTRATION_CLOSED: HttpStatus.FORBIDDEN,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
