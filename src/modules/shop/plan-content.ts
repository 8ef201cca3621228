import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  validateSync,
  ValidationArguments,
} from 'class-validator';
import { PlanContent } from './purchase-rules.js';

/** Largest quota a plan may grant: keeps bytes (GB × 1024³) far below 2^53. */
const MAX_TRAFFIC_GB = 1_000_000;
const MAX_DAYS = 36_500;

/** The property and its legacy alias are mutually exclusive. */
function NotTogetherWith(other: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notTogetherWith',
      target: object.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined ||
          (args.object as Record<string, unknown>)[other] === undefined,
        defaultMessage: (args: ValidationArguments) =>
          `give ${args.property} or ${other}, not both`,
      },
    });
}

const levelGiven = (o: PlanContentDto) =>
  o.class !== undefined || o.class_expire !== undefined;

/**
 * `shop.content` (docs/spec/shop.md): the keys an admin may save, with their types and bounds. Unknown
 * keys are refused by the global pipe (forbidNonWhitelisted), so every plan on sale is valid.
 * `bandwidth` and `expire` are legacy SSPanel aliases of `traffic` and `expire_in`.
 */
export class PlanContentDto {
  /** GB of quota. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_TRAFFIC_GB)
  traffic?: number;

  @IsOptional()
  @NotTogetherWith('traffic')
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_TRAFFIC_GB)
  bandwidth?: number;

  /** true: quota becomes `traffic` and usage is zeroed; false: `traffic` is added. */
  @IsOptional()
  @IsBoolean()
  reset_traffic?: boolean;

  /** Level granted; comes with `class_expire` (days). */
  @ValidateIf(levelGiven)
  @IsInt()
  @Min(0)
  @Max(1000)
  class?: number;

  @ValidateIf(levelGiven)
  @IsInt()
  @Min(0)
  @Max(MAX_DAYS)
  class_expire?: number;

  /** Days added to the account's expiry. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DAYS)
  expire_in?: number;

  @IsOptional()
  @NotTogetherWith('expire_in')
  @IsInt()
  @Min(0)
  @Max(MAX_DAYS)
  expire?: number;

  /** Mbps → node_speedlimit. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  speedlimit?: number;

  /** Device limit → node_connector. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  connector?: number;
}

/** The canonical JSON we store: legacy aliases folded into their names, absent keys omitted. */
export function canonicalPlanContent(
  dto: PlanContentDto,
): Record<string, number | boolean> {
  const out: Record<string, number | boolean | undefined> = {
    traffic: dto.traffic ?? dto.bandwidth,
    reset_traffic: dto.reset_traffic,
    class: dto.class,
    class_expire: dto.class_expire,
    expire_in: dto.expire_in ?? dto.expire,
    speedlimit: dto.speedlimit,
    connector: dto.connector,
  };
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as Record<string, number | boolean>;
}

/**
 * Reads a stored `shop.content` for a purchase. Known keys are type-checked exactly as on save;
 * unknown keys are ignored (an adopted SSPanel database carries `reset`, `content_extra`, ...).
 * Returns null when the text is not a valid plan, so the plan is refused rather than half-applied.
 * `reset_traffic` falls back to the plan's legacy `auto_reset_bandwidth` flag.
 */
export function parsePlanContent(
  text: string,
  autoResetBandwidth: boolean,
): Readonly<PlanContent> | null {
  const key = `${autoResetBandwidth ? 1 : 0}${text}`;
  const known = parsedPlans.get(key);
  if (known !== undefined) return known;
  const content = parseUncached(text, autoResetBandwidth);
  if (parsedPlans.size >= PARSED_PLANS_MAX) parsedPlans.clear();
  parsedPlans.set(key, content && Object.freeze(content));
  return content;
}

/**
 * Every purchase reads its plan and parses the stored text (class-validator: ~3% of a
 * purchase's CPU); the result depends on the text and the flag only, and a shop has a handful
 * of plans, so each distinct text is parsed once (frozen: the parse is shared). Bounded by
 * clearing, for a shop whose plans are edited many times over a long uptime.
 */
const parsedPlans = new Map<string, Readonly<PlanContent> | null>();
const PARSED_PLANS_MAX = 256;

function parseUncached(
  text: string,
  autoResetBandwidth: boolean,
): PlanContent | null {
  const raw = parseJsonObject(text);
  if (!raw) return null;
  const dto = plainToInstance(PlanContentDto, raw);
  if (validateSync(dto, { whitelist: true }).length > 0) return null;
  const c = canonicalPlanContent(dto) as {
    traffic?: number;
    reset_traffic?: boolean;
    class?: number;
    class_expire?: number;
    expire_in?: number;
    speedlimit?: number;
    connector?: number;
  };
  return {
    trafficGb: c.traffic ?? null,
    resetTraffic: c.reset_traffic ?? autoResetBandwidth,
    classLevel: c.class ?? null,
    classExpireDays: c.class_expire ?? 0,
    expireInDays: c.expire_in ?? null,
    speedlimit: c.speedlimit ?? null,
    connector: c.connector ?? null,
  };
}

/** The stored JSON as an object for API responses ({} when unreadable). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
