import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsIP,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_REPORT_ENTRIES } from '../node-api.constants.js';

const INT_MAX = 2_147_483_647;
const finite = { allowNaN: false, allowInfinity: false };

/** Form-encoded bodies (legacy agents) carry numbers as strings. */
const numeric = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' &&
  value.trim() !== '' &&
  Number.isFinite(Number(value))
    ? Number(value)
    : value;

/** XrayR sends load as "0.25 0.10 0.05"; seed agents as "0.25" or a number. */
const loadText = ({ value }: { value: unknown }): unknown =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : value;

export class AliveIpEntryDto {
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  user_id: number;

  @IsIP(undefined, { message: 'ip must be an IPv4 or IPv6 address' })
  ip: string;
}

/** `POST /mod_mu/users/aliveip` body. */
export class AliveIpReportDto {
  @IsDefined({ message: 'data is required' })
  @IsArray()
  @ArrayMaxSize(MAX_REPORT_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => AliveIpEntryDto)
  data: AliveIpEntryDto[];
}

export class DetectLogEntryDto {
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  user_id: number;

  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  list_id: number;
}

/** `POST /mod_mu/users/detectlog` body. */
export class DetectLogReportDto {
  @IsDefined({ message: 'data is required' })
  @IsArray()
  @ArrayMaxSize(MAX_REPORT_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => DetectLogEntryDto)
  data: DetectLogEntryDto[];
}

/** Legacy `POST /mod_mu/nodes/:id/info` body (JSON or form): `{uptime, load}`. */
export class LegacyNodeLoadDto {
  @Transform(numeric)
  @IsNumber(finite, { message: 'uptime must be a number of seconds' })
  @Min(0)
  uptime: number;

  @Transform(loadText)
  @IsString()
  @MaxLength(32)
  load: string;
}

/** Seed `POST /node/online`. */
export class SeedOnlineDto {
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  node_id: number;

  @IsInt()
  @Min(0)
  @Max(10_000_000)
  online: number;

  @Transform(loadText)
  @IsString()
  @MaxLength(32)
  load: string;
}

/** Seed `POST /node/heartbeat`. */
export class SeedHeartbeatDto {
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  node_id: number;

  @IsNumber(finite)
  @Min(0)
  @Max(1e6)
  cpu_load: number;

  @IsNumber(finite)
  @Min(0)
  @Max(1e6)
  memory_usage: number;

  @IsNumber(finite)
  @Min(0)
  @Max(1e15)
  network_speed: number;
}
