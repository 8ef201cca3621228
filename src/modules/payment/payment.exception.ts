import { HttpStatus } from '@nestjs/common';
import {
  DomainException,
  FieldErrors,
} from '../../common/errors/domain.exception.js';

export enum PaymentErrorCode {
  GATEWAY_UNAVAILABLE = 'GATEWAY_UNAVAILABLE',
  AMOUNT_OUT_OF_RANGE = 'AMOUNT_OUT_OF_RANGE',
  ORDER_NOT_FOUND = 'ORDER_NOT_FOUND',
  ORDER_ALREADY_PAID = 'ORDER_ALREADY_PAID',
  ORDER_NOT_PAYABLE = 'ORDER_NOT_PAYABLE',
  ORDER_OWNER_MISSING = 'ORDER_OWNER_MISSING',
  CALLBACK_NO_REUSED = 'CALLBACK_NO_REUSED',
  /** The gateway could not start the payment (unreachable, refused): nothing was charged. */
  GATEWAY_FAILED = 'GATEWAY_FAILED',
}

const STATUS: Record<PaymentErrorCode, HttpStatus> = {
  GATEWAY_UNAVAILABLE: HttpStatus.BAD_REQUEST,
  AMOUNT_OUT_OF_RANGE: HttpStatus.BAD_REQUEST,
  ORDER_NOT_FOUND: HttpStatus.NOT_FOUND,
  ORDER_ALREADY_PAID: HttpStatus.CONFLICT,
  ORDER_NOT_PAYABLE: HttpStatus.CONFLICT,
  ORDER_OWNER_MISSING: HttpStatus.CONFLICT,
  CALLBACK_NO_REUSED: HttpStatus.CONFLICT,
  GATEWAY_FAILED: HttpStatus.BAD_GATEWAY,
};

export class PaymentException extends DomainException {
  constructor(code: PaymentErrorCode, message: string, errors?: FieldErrors) {
    super(code, message, STATUS[code], errors);
  }
}

/** 404 for a missing order and for another user's order alike. */
export const orderNotFound = (): PaymentException =>
  new PaymentException(PaymentErrorCode.ORDER_NOT_FOUND, 'Order not found');
