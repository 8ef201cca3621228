import { Controller, Get, Headers, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { NodeAuth } from '../../common/guards/node-key.guard.js';
import { SSPANEL_PREFIX } from '../../common/http/routes.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { sendEtagged } from './etag.js';
import { NodeInfoService } from './node-info.service.js';
import { SspanelExceptionFilter } from './sspanel-exception.filter.js';

/** SSPanel WebAPI `/mod_mu/func/*` as XrayR calls it (SSPanel shapes, no envelope). */
@RateLimit('node')
@NodeAuth()
@RawResponse()
@UseFilters(SspanelExceptionFilter)
@Controller(`${SSPANEL_PREFIX}/func`)
export class SspanelFuncController {
  constructor(private readonly info: NodeInfoService) {}

  @Get('ping')
  ping(): { ret: 1; msg: string } {
    return { ret: 1, msg: 'Pong? Pong!' };
  }

  @Get('detect_rules')
  async detectRules(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendEtagged(res, await this.info.detectRules(ifNoneMatch));
  }
}
