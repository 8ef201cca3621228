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
  UseFilters,
} from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { Response } from 'express';
import { SpeaksDialect } from './node-dialect.interceptor.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { NodeAuth } from '../../common/guards/node-key.guard.js';
import { SSPANEL_PATH, SSPANEL_PREFIX } from '../../common/http/routes.js';
import {
  AliveIpReportDto,
  DetectLogReportDto,
  LegacyNodeLoadDto,
} from './dto/agent-report.dto.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { NodeIdParamDto, NodeIdQueryDto } from './dto/node-query.dto.js';
import { SspanelTrafficDto } from './dto/traffic-report.dto.js';
import {
  type NodeIdQuery,
  NodeIdQueryPipe,
  type SspanelTrafficBody,
  SspanelTrafficPipe,
} from './dto/traffic-report.pipe.js';
import { sendEtagged } from './etag.js';
import { NodeInfoService } from './node-info.service.js';
import { NodeTelemetryService } from '../node/node-telemetry.service.js';
import { NodeTrafficService } from './node-traffic.service.js';
import { NodeUserListService } from './node-user-list.service.js';
import { SspanelExceptionFilter } from './sspanel-exception.filter.js';

type SspanelOk = { ret: 1; msg: string };
const OK: SspanelOk = { ret: 1, msg: 'ok' };

/** The users list route, as served (the node fast path answers its 304s). */
export const SSPANEL_USERS_ROUTE = `${SSPANEL_PATH}/users`;

/** The traffic report route, as served (the report fast path answers well-formed reports). */
export const SSPANEL_TRAFFIC_ROUTE = `${SSPANEL_PATH}/users/traffic`;

/**
 * The SSPanel WebAPI as XrayR (PanelType "SSpanel") calls it; checked against XrayR's
 * api/sspanel/sspanel.go and model.go: the key in `key` and `muKey` query parameters on every
 * request, `node_id` in the query, If-None-Match with the last ETag on the three GETs (304 =
 * unchanged), and `ret` decoded as a number.
 */
@RateLimit('node')
@NodeAuth()
@RawResponse()
@UseFilters(SspanelExceptionFilter)
@SpeaksDialect('sspanel')
@Controller(SSPANEL_PREFIX)
export class SspanelMuController {
  constructor(
    private readonly lists: NodeUserListService,
    private readonly traffic: NodeTrafficService,
    private readonly telemetry: NodeTelemetryService,
    private readonly info: NodeInfoService,
  ) {}

  @Get('nodes/:id/info')
  async nodeInfo(
    @Param() params: NodeIdParamDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendEtagged(res, await this.info.sspanelInfo(params.id, ifNoneMatch));
  }

  /** Legacy load report (agents that see a panel version below 2023.2). */
  @Post('nodes/:id/info')
  @HttpCode(HttpStatus.OK)
  async nodeLoad(
    @Param() params: NodeIdParamDto,
    @Body() dto: LegacyNodeLoadDto,
  ): Promise<SspanelOk> {
    await this.telemetry.reportLoad(params.id, dto.uptime, dto.load);
    return OK;
  }

  @Get('users')
  async users(
    @Query() query: NodeIdQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendEtagged(
      res,
      await this.lists.sspanelList(query.node_id, ifNoneMatch),
    );
  }

  @Post('users/traffic')
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: SspanelTrafficDto })
  @ApiQuery({ type: NodeIdQueryDto })
  async userTraffic(
    @Query(NodeIdQueryPipe) query: NodeIdQuery,
    @Body(SspanelTrafficPipe) dto: SspanelTrafficBody,
  ): Promise<SspanelOk> {
    await this.traffic.ingest(query.node_id, dto.data);
    return OK;
  }

  @Post('users/aliveip')
  @HttpCode(HttpStatus.OK)
  async aliveIp(
    @Query() query: NodeIdQueryDto,
    @Body() dto: AliveIpReportDto,
  ): Promise<SspanelOk> {
    await this.telemetry.reportAliveIps(query.node_id, dto.data);
    return OK;
  }

  @Post('users/detectlog')
  @HttpCode(HttpStatus.OK)
  async detectLog(
    @Query() query: NodeIdQueryDto,
    @Body() dto: DetectLogReportDto,
  ): Promise<SspanelOk> {
    await this.telemetry.reportDetections(query.node_id, dto.data);
    return OK;
  }
}
