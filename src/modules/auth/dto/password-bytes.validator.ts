import { ValidateBy, ValidationOptions } from 'class-validator';

/** bcrypt reads only the first 72 bytes of a password: anything longer would silently not count. */
export const MAX_PASSWORD_BYTES = 72;

/** A string of at most MAX_PASSWORD_BYTES UTF-8 bytes. */
export function FitsBcrypt(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'fitsBcrypt',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          Buffer.byteLength(value, 'utf8') <= MAX_PASSWORD_BYTES,
        defaultMessage: () =>
          `password must be at most ${MAX_PASSWORD_BYTES} bytes (UTF-8)`,
      },
    },
    options,
  );
}
