import { Controller, Get } from '@nestjs/common';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { NodeAuth } from '../../common/guards/node-key.guard.js';

/** SSPanel WebAPI `/mod_mu/func/*` as XrayR calls it (SSPanel shapes, no envelope). */
@NodeAuth()
@RawResponse()
@Controller('mod_mu/func')
export class SspanelFuncController {
  @Get('ping')
  ping(): { ret: 1; msg: string } {
    return { ret: 1, msg: 'Pong? Pong!' };
  }
}
