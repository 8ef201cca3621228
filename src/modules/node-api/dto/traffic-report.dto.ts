import {
  IsDefined,
  IsInt,
  Max,
  Min,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { MAX_TRAFFIC_BYTES } from '../../node/node.constants.js';
import { MAX_REPORT_ENTRIES } from '../node-api.constants.js';
import type { TrafficEntry } from '../node-traffic.service.js';

const INT_MAX = 2_147_483_647;
const ENTRY_KEYS = new Set(['user_id', 'u', 'd']);

/** The first problem of a traffic `data` array, or null. One pass, no per-entry objects. */
export function trafficEntriesProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'data must be an array';
  if (value.length > MAX_REPORT_ENTRIES)
    return `data must contain at most ${MAX_REPORT_ENTRIES} entries`;
  // What one report may add, all users together: refused whole (nothing written), never cut.
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const e: unknown = value[i];
    if (e === null || typeof e !== 'object' || Array.isArray(e))
      return `data[${i}] must be an object {user_id, u, d}`;
    const entry = e as Record<string, unknown>;
    for (const key of Object.keys(entry))
      if (!ENTRY_KEYS.has(key)) return `data[${i}].${key} should not exist`;
    const id = entry.user_id;
    if (
      typeof id !== 'number' ||
      !Number.isInteger(id) ||
      id < 1 ||
      id > INT_MAX
    )
      return `data[${i}].user_id must be a positive integer`;
    for (const key of ['u', 'd'] as const) {
      const n = entry[key];
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
        return `data[${i}].${key} must be a non-negative integer of at most 2^53-1 bytes`;
      total += n;
    }
    if (total > MAX_TRAFFIC_BYTES)
      return 'data must add at most 2^53-1 bytes (u + d of every entry together) per report';
  }
  return null;
}

/**
 * Validates up to 10,000 `{user_id, u, d}` entries in one loop. Nested DTO instances would
 * cost a class-transformer and class-validator pass per entry on the hottest write path.
 */
function IsTrafficEntries(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isTrafficEntries',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => trafficEntriesProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          trafficEntriesProblem(args?.value) ?? 'data is invalid',
      },
    });
}

/** `POST /mod_mu/users/traffic` body. */
export class SspanelTrafficDto {
  @IsDefined({ message: 'data is required' })
  @IsTrafficEntries()
  data: TrafficEntry[];
}

/** Seed `POST /node/traffic` body. */
export class SeedTrafficDto extends SspanelTrafficDto {
  @IsInt({ message: 'node_id must be a positive integer' })
  @Min(1, { message: 'node_id must be a positive integer' })
  @Max(INT_MAX)
  node_id: number;
}
