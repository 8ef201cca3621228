import {
  Controller,
  Get,
  Headers,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { PAYMENT_NOTIFY_PATH } from '../../common/http/routes.js';
import { RETRY_AFTER_S } from '../../common/errors/dependency-errors.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import type { CallbackRequest } from './gateways/payment-gateway.js';
import { PaymentNotifyService } from './payment-notify.service.js';

/**
 * Gateway callbacks, authenticated by the gateway's signature (not a JWT), by GET or POST (form
 * or JSON; the raw body is kept for signatures over bytes). The reply is the gateway's own
 * plain text (epay/Alipay `success`/`fail`, BEPUSDT `ok`, Stripe any 2xx).
 */
@Public()
@RawResponse()
@Controller('payment/notify')
export class PaymentNotifyController {
  constructor(private readonly notifyService: PaymentNotifyService) {}

  @Get(':gateway')
  async notifyGet(
    @Param('gateway') gateway: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: CallbackRequest['headers'],
    @Res() res: Response,
  ): Promise<void> {
    await this.reply(res, gateway, callbackOf(req, headers));
  }

  @Post(':gateway')
  async notifyPost(
    @Param('gateway') gateway: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: CallbackRequest['headers'],
    @Res() res: Response,
  ): Promise<void> {
    await this.reply(res, gateway, callbackOf(req, headers));
  }

  private reply(
    res: Response,
    gateway: string,
    callback: CallbackRequest,
  ): Promise<void> {
    return answerNotify(this.notifyService, res, gateway, callback);
  }
}

/** The route pattern, as the router labels it (metrics); the fast path counts under it too. */
export const NOTIFY_ROUTE = `${PAYMENT_NOTIFY_PATH}/:gateway`;

/**
 * The notify's work and its answer: the gateway's own reply text, a 503 with Retry-After when
 * a dependency is down. The route and the notify fast path both answer through it.
 */
export async function answerNotify(
  notifyService: PaymentNotifyService,
  res: Response,
  gateway: string,
  callback: CallbackRequest,
): Promise<void> {
  const result = await notifyService.handle(gateway, callback);
  if (result.status === 503)
    res.setHeader('Retry-After', String(RETRY_AFTER_S));
  res.status(result.status).type('text/plain').send(result.reply);
}

/** The parsed body when there is one (some aggregators POST with the query string instead). */
export function callbackOf(
  req: RawBodyRequest<Request>,
  headers: CallbackRequest['headers'],
): CallbackRequest {
  const body: unknown = req.body;
  const hasBody =
    body !== null &&
    typeof body === 'object' &&
    !Buffer.isBuffer(body) &&
    Object.keys(body).length > 0;
  return {
    params: hasBody
      ? (body as Record<string, unknown>)
      : (req.query as Record<string, unknown>),
    rawBody: req.rawBody,
    headers,
  };
}
