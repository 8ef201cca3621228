import {
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Response } from 'express';
import { SpeaksDialect } from '../node-dialect.interceptor.js';
import { RawResponse } from '../../../common/decorators/raw-response.decorator.js';
import { UNIPROXY_PATH, UNIPROXY_PREFIX } from '../../../common/http/routes.js';
import { NodeAuth } from '../../../common/guards/node-key.guard.js';
import { RateLimit } from '../../throttle/rate-limit.decorator.js';
import { UniProxyConfigService } from './uniproxy-config.service.js';
import { UniProxyExceptionFilter } from './uniproxy-exception.filter.js';
import {
  UNIPROXY_OK,
  UniProxyReportService,
} from './uniproxy-report.service.js';
import { sendUniProxy } from './uniproxy-reply.js';
import {
  Caller,
  RawBody,
  type UniProxyCaller,
  wantsMsgpack,
} from './uniproxy-request.js';
import { UniProxyUserService } from './uniproxy-user.service.js';

type Ok = typeof UNIPROXY_OK;

/** The user list route, as served (the node fast path answers its 304s). */
export const UNIPROXY_USER_ROUTE = `${UNIPROXY_PATH}/user`;

/**
 * V2Board's UniProxy node API as unmodified V2bX (wyx2685), XrayR (PanelType V2board /
 * NewV2board) and soga call it: `token`, `node_id` and `node_type` in the query string of every
 * request, If-None-Match with the last ETag on `config` and `user`. V2Board answers any method,
 * so every action takes GET and POST (Express matches the trailing-slash form too, no redirect).
 */
@ApiQuery({ name: 'node_id', type: Number })
@ApiQuery({
  name: 'node_type',
  type: String,
  description:
    'v2ray (= vmess), vmess, vless, trojan, shadowsocks, hysteria / hysteria2, tuic, anytls',
})
@RateLimit('node')
@NodeAuth()
@RawResponse()
@UseFilters(UniProxyExceptionFilter)
@SpeaksDialect('uniproxy')
// Where V2Board mounts the dialect (its catch-all `any('/server/{class}/{action}')`).
@Controller(UNIPROXY_PREFIX)
export class UniProxyController {
  constructor(
    private readonly configs: UniProxyConfigService,
    private readonly users: UniProxyUserService,
    private readonly reports: UniProxyReportService,
  ) {}

  @Get('config')
  async getConfig(
    @Caller() caller: UniProxyCaller,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendUniProxy(res, await this.configs.config(caller, ifNoneMatch));
  }

  @Post('config')
  postConfig(
    @Caller() caller: UniProxyCaller,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.getConfig(caller, ifNoneMatch, res);
  }

  @Get('user')
  async getUser(
    @Caller() caller: UniProxyCaller,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('x-response-format') format: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendUniProxy(
      res,
      await this.users.users(caller, ifNoneMatch, wantsMsgpack(format)),
    );
  }

  @Post('user')
  postUser(
    @Caller() caller: UniProxyCaller,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('x-response-format') format: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.getUser(caller, ifNoneMatch, format, res);
  }

  @Post('push')
  @HttpCode(HttpStatus.OK)
  async postPush(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    await this.reports.push(caller, body);
    return UNIPROXY_OK;
  }

  @Get('push')
  getPush(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    return this.postPush(caller, body);
  }

  @Post('alive')
  @HttpCode(HttpStatus.OK)
  async postAlive(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    await this.reports.alive(caller, body);
    return UNIPROXY_OK;
  }

  @Get('alive')
  getAlive(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    return this.postAlive(caller, body);
  }

  @Get('alivelist')
  getAliveList(
    @Caller() caller: UniProxyCaller,
  ): Promise<{ alive: Record<string, number> }> {
    return this.reports.aliveList(caller);
  }

  @Post('alivelist')
  @HttpCode(HttpStatus.OK)
  postAliveList(
    @Caller() caller: UniProxyCaller,
  ): Promise<{ alive: Record<string, number> }> {
    return this.reports.aliveList(caller);
  }

  @Post('status')
  @HttpCode(HttpStatus.OK)
  async postStatus(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    await this.reports.status(caller, body);
    return UNIPROXY_OK;
  }

  @Get('status')
  getStatus(
    @Caller() caller: UniProxyCaller,
    @RawBody() body: Buffer | undefined,
  ): Promise<Ok> {
    return this.postStatus(caller, body);
  }
}
