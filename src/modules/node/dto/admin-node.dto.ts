import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import { SsNode } from '../../../database/entities/index.js';
import type { NodeLiveState } from '../node-state.service.js';
import type { NodeProtocol, NodeReading } from '../protocol/index.js';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto.js';

/**
 * `ss_node.sort` values the node protocol model serves: 0 Shadowsocks, 1 Shadowsocks 2022,
 * 2 TUIC v5, 11 VMess (VLESS with `enable_vless`), 13 VLESS, 14 Trojan, 15 Hysteria2 (Hysteria v1
 * with `custom_config.version: 1`), 16 AnyTLS (Panel's own number).
 */
export const NODE_SORTS = [0, 1, 2, 11, 13, 14, 15, 16] as const;

export class AdminNodeQueryDto extends PaginationQueryDto {}

export class AdminNodeCreateDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @IsString()
  @MinLength(1)
  @MaxLength(128)
  server: string;

  @IsIn(NODE_SORTS)
  sort: number;

  /** 1 enabled/shown, 0 disabled. */
  @IsOptional()
  @IsIn([0, 1])
  type?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  traffic_rate?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  node_class?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  node_group?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  node_speedlimit?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  node_connector?: number;

  /** Bytes; 0 = no limit. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  node_bandwidth_limit?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31)
  bandwidthlimit_resetday?: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  method?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  info?: string;

  /** XrayR's node settings; keys it knows must have its types (validated by the service). */
  @IsOptional()
  @IsObject()
  custom_config?: Record<string, unknown>;
}

/** Every field optional; at least one required (checked by the service). */
export class AdminNodeUpdateDto extends PartialType(AdminNodeCreateDto) {}

export class AdminNodeDto {
  id: number;
  name: string;
  type: number;
  server: string;
  sort: number;
  method: string;
  info: string;
  traffic_rate: number;
  node_class: number;
  node_group: number;
  node_speedlimit: number;
  node_connector: number;
  node_bandwidth: number;
  node_bandwidth_limit: number;
  bandwidthlimit_resetday: number;
  /** Unix seconds of the last heartbeat. */
  node_heartbeat: number;
  online: boolean;
  node_online: number;
  custom_config: Record<string, unknown>;
  /** Recent online/stats snapshots from Redis (null once their TTL lapsed). */
  live: NodeLiveState;
  /** What the node serves, as agents and subscriptions read it; null when it cannot be read. */
  protocol: NodeProtocol | null;
  /** Why `protocol` is null (field → problem), for adopted rows saved by other tools. */
  protocol_problems: Record<string, string> | null;

  static from(
    n: SsNode,
    online: boolean,
    live: NodeLiveState,
    customConfig: Record<string, unknown>,
    reading: NodeReading,
  ): AdminNodeDto {
    return {
      id: n.id,
      name: n.name,
      type: n.type,
      server: n.server,
      sort: n.sort,
      method: n.method,
      info: n.info,
      traffic_rate: n.trafficRate,
      node_class: n.nodeClass,
      node_group: n.nodeGroup,
      node_speedlimit: n.nodeSpeedlimit,
      node_connector: n.nodeConnector,
      node_bandwidth: n.nodeBandwidth,
      node_bandwidth_limit: n.nodeBandwidthLimit,
      bandwidthlimit_resetday: n.bandwidthlimitResetday,
      node_heartbeat: n.nodeHeartbeat,
      online,
      node_online: n.nodeOnline,
      custom_config: customConfig,
      live,
      protocol: reading.ok ? reading.node : null,
      protocol_problems: reading.ok ? null : reading.problems,
    };
  }
}
