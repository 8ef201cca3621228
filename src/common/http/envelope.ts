import { FieldErrors } from '../errors/domain.exception.js';

export interface SuccessEnvelope<T> {
  ret: 1;
  msg: string;
  data: T;
}

export interface ErrorEnvelope {
  ret: 0;
  msg: string;
  code?: string;
  errors?: FieldErrors;
}

/** Returned by a controller that wants a message other than `ok` in the envelope. */
export class ApiResult<T> {
  constructor(
    readonly data: T,
    readonly msg = 'ok',
  ) {}
}

export function ok<T>(data: T, msg = 'ok'): SuccessEnvelope<T> {
  return { ret: 1, msg, data };
}
