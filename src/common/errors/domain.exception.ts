import { HttpStatus } from '@nestjs/common';

/** Field → message, only on validation failures. */
export type FieldErrors = Record<string, string>;

/**
 * The one error type services throw. Each module subclasses it with its own code enum and
 * code → status table (`<module>.exception.ts`); the global filter turns it into the envelope.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus,
    readonly errors?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
