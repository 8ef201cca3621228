import { ValidationError, ValidationPipe } from '@nestjs/common';
import {
  CommonErrorCode,
  CommonException,
} from '../errors/common.exception.js';
import { FieldErrors } from '../errors/domain.exception.js';

function collect(
  errors: ValidationError[],
  prefix: string,
  out: FieldErrors,
): FieldErrors {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {});
    // forbidNonWhitelisted says "property x should not exist"; keep it readable.
    if (messages.length > 0) out[field] = messages.join('; ');
    if (e.children?.length) collect(e.children, field, out);
  }
  return out;
}

/** Global pipe: whitelist, forbid unknown fields, transform; 400 naming every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = collect(errors, '', {});
      return new CommonException(
        CommonErrorCode.VALIDATION_FAILED,
        `Invalid input: ${Object.values(fields).join('; ')}`,
        fields,
      );
    },
  });
}
