import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum AuthErrorCode {
  CURRENT_PASSWORD_INCORRECT = 'CURRENT_PASSWORD_INCORRECT',
  PASSWORD_CHANGED_CONCURRENTLY = 'PASSWORD_CHANGED_CONCURRENTLY',
  PORT_RANGE_FULL = 'PORT_RANGE_FULL',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVITE_CODE_INVALID = 'INVITE_CODE_INVALID',
  INVITE_CODE_REQUIRED = 'INVITE_CODE_REQUIRED',
  REGISTRATION_CLOSED = 'REGISTRATION_CLOSED',
}

const STATUS: Record<AuthErrorCode, HttpStatus> = {
  // 403, not 401: a 401 would make clients sign the (still valid) session out.
  CURRENT_PASSWORD_INCORRECT: HttpStatus.FORBIDDEN,
  PASSWORD_CHANGED_CONCURRENTLY: HttpStatus.CONFLICT,
  // The server cannot take accounts until the operator widens the range; not the client's fault.
  PORT_RANGE_FULL: HttpStatus.SERVICE_UNAVAILABLE,
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
