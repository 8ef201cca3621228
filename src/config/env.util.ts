import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export type EnvClass<T extends object = object> = new () => T;

/** Reads `process.env`-like input into a typed, converted env class (defaults applied). */
export function readEnv<T extends object>(
  cls: EnvClass<T>,
  env: Record<string, unknown> = process.env,
): T {
  // An empty variable (`FOO=`) means "not set": the class default applies.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== ''),
  );
  return plainToInstance(cls, present, { exposeDefaultValues: true });
}

export function describeErrors(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg}`),
  );
}

/** Validates one env class; returns the problems found (empty when fine). */
export function checkEnv<T extends object>(
  cls: EnvClass<T>,
  env: Record<string, unknown>,
): string[] {
  const instance = readEnv(cls, env);
  return describeErrors(
    validateSync(instance, { whitelist: false, forbidUnknownValues: false }),
  );
}

export const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  const s = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return value; // left as a string so @IsBoolean reports it
};

export const toNumber = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  const n = Number(value.trim());
  return Number.isNaN(n) ? value : n;
};

export const toList = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
};
