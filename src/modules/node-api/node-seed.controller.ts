import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { SpeaksDialect } from './node-dialect.interceptor.js';
import { ApiResult } from '../../common/http/envelope.js';
import { NodeAuth } from '../../common/guards/node-key.guard.js';
import { SEED_NODE_PATH, SEED_NODE_PREFIX } from '../../common/http/routes.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { SeedHeartbeatDto, SeedOnlineDto } from './dto/agent-report.dto.js';
import {
  NodeIdParamDto,
  OptionalNodeIdQueryDto,
} from './dto/node-query.dto.js';
import { SeedTrafficDto } from './dto/traffic-report.dto.js';
import { sendEtagged } from './etag.js';
import { NodeInfoService, SeedNodeInfo } from './node-info.service.js';
import {
  NodeStateService,
  NodeStatsState,
} from '../node/node-state.service.js';
import { NodeTrafficService } from './node-traffic.service.js';
import { NodeUserListService } from './node-user-list.service.js';

export interface SeedTrafficResult {
  updated_count: number;
  skipped_count: number;
  duplicate: boolean;
  node_id: number;
  /** Raw bytes (u + d) of the report, before the node's traffic_rate. */
  total_traffic: number;
}

/** The users list route, as served (the node fast path answers its 304s). */
export const SEED_USERS_ROUTE = `${SEED_NODE_PATH}/users`;

/** The seed node routes under `/app/api/v0/node`, in the `{ret, msg, data}` envelope. */
@RateLimit('node')
@NodeAuth()
@SpeaksDialect('seed')
@Controller(SEED_NODE_PREFIX)
export class NodeSeedController {
  constructor(
    private readonly lists: NodeUserListService,
    private readonly traffic: NodeTrafficService,
    private readonly state: NodeStateService,
    private readonly info: NodeInfoService,
  ) {}

  /** The cached envelope is sent as stored (with its ETag), hence @Res. */
  @Get('users')
  async users(
    @Query() query: OptionalNodeIdQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendEtagged(
      res,
      await this.lists.seedList(query.node_id, ifNoneMatch),
    );
  }

  @Post('traffic')
  @HttpCode(HttpStatus.OK)
  async reportTraffic(
    @Body() dto: SeedTrafficDto,
  ): Promise<ApiResult<SeedTrafficResult>> {
    const outcome = await this.traffic.ingest(dto.node_id, dto.data);
    return new ApiResult(
      {
        updated_count: outcome.updated,
        skipped_count: outcome.skipped,
        duplicate: outcome.duplicate,
        node_id: outcome.nodeId,
        total_traffic: outcome.rawBytes,
      },
      'Traffic reported',
    );
  }

  @Post('online')
  @HttpCode(HttpStatus.OK)
  async reportOnline(
    @Body() dto: SeedOnlineDto,
  ): Promise<{ node_id: number; online: number; load: string }> {
    await this.state.reportOnline(dto.node_id, dto.online, dto.load);
    return { node_id: dto.node_id, online: dto.online, load: dto.load };
  }

  @Post('heartbeat')
  @HttpCode(HttpStatus.OK)
  async heartbeat(
    @Body() dto: SeedHeartbeatDto,
  ): Promise<{ node_id: number } & NodeStatsState> {
    const { node_id, ...stats } = dto;
    return { node_id, ...(await this.state.reportStats(node_id, stats)) };
  }

  @Get('info/:id')
  nodeInfo(@Param() params: NodeIdParamDto): Promise<SeedNodeInfo> {
    return this.info.seedInfo(params.id);
  }
}
