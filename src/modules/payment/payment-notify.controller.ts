import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import {
  NotifyOutcome,
  PaymentNotifyService,
} from './payment-notify.service.js';

const STATUS: Record<NotifyOutcome, number> = {
  credited: 200,
  already_paid: 200,
  rejected: 400,
  // Our failure, not the gateway's: it will retry.
  error: 500,
};

/**
 * Gateway callbacks, authenticated by the gateway's signature (not a JWT). The reply is the
 * gateway's own plain text (epay: `success` / `fail`).
 */
@Public()
@RawResponse()
@Controller('payment/notify')
export class PaymentNotifyController {
  constructor(private readonly notifyService: PaymentNotifyService) {}

  @Get(':gateway')
  async notifyGet(
    @Param('gateway') gateway: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    await this.reply(res, gateway, query);
  }

  @Post(':gateway')
  async notifyPost(
    @Param('gateway') gateway: string,
    @Body() body: Record<string, unknown>,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    // Some aggregators POST with the parameters in the query string.
    const params = body && Object.keys(body).length > 0 ? body : query;
    await this.reply(res, gateway, params);
  }

  private async reply(
    res: Response,
    gateway: string,
    params: Record<string, unknown>,
  ): Promise<void> {
    const result = await this.notifyService.handle(gateway, params ?? {});
    res.status(STATUS[result.outcome]).type('text/plain').send(result.reply);
  }
}
