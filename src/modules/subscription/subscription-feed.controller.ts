import {
  Controller,
  Get,
  Headers,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import {
  SEED_LINK_PREFIX,
  SUBSCRIPTION_PREFIX,
} from '../../common/http/routes.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { detectOutput, type OutputKind } from './client-detection.js';
import { LinkQueryDto, SubscriptionQueryDto } from './dto/subscription.dto.js';
import { FORMAT_NAMES, type FormatName } from './formats/profile.js';
import {
  SubscriptionFetchService,
  writeProfile,
} from './subscription-fetch.service.js';
import { linkProtocolsOf, protocolsOf } from './subscription-filters.js';
import type { ProtocolName } from '../node/protocol/index.js';

/**
 * What clients import: `/sub/:token` (format from the User-Agent or `?flag=`),
 * `/sub/:token/:format`, and the seed's `/link/:token?mu=`. Outside the API prefix, answered in
 * the client's own format (no envelope); the token is the credential. HEAD (Express answers it
 * with the GET route) sends the same headers without the body.
 */
const PROFILE_HEADERS = {
  'subscription-userinfo': {
    description:
      '`upload=U; download=D; total=T; expire=E` (integers; expire 0 = never)',
    schema: { type: 'string' },
  },
  'profile-update-interval': {
    description: 'Hours between refreshes (SUB_UPDATE_INTERVAL_H)',
    schema: { type: 'string' },
  },
  'content-disposition': {
    description: "`attachment; filename*=UTF-8''<SITE_NAME>.<ext>`",
    schema: { type: 'string' },
  },
  'profile-title': {
    description: '`base64:<SITE_NAME in base64>`',
    schema: { type: 'string' },
  },
};

/** The feed routes' patterns, as served and as the HTTP metrics label them (the fast path too). */
export const SUB_AUTO_ROUTE = `/${SUBSCRIPTION_PREFIX}/:token`;
export const SUB_FORMAT_ROUTE = `/${SUBSCRIPTION_PREFIX}/:token/:format`;
export const SEED_LINK_ROUTE = `/${SEED_LINK_PREFIX}/:token`;

@Public()
@RawResponse()
@RateLimit('subscription')
@ApiProduces('text/plain', 'text/yaml', 'application/json')
@ApiOkResponse({
  description:
    'The profile in the client format; a suspended, expired or over-quota account gets one placeholder entry named with the reason',
  headers: PROFILE_HEADERS,
})
@ApiNotFoundResponse({
  description:
    'Unknown or reset token, unknown format (the body of any unknown path)',
})
@ApiTooManyRequestsResponse({
  description: 'THROTTLE_SUB_LIMIT fetches of this token per window',
})
@ApiServiceUnavailableResponse({
  description: 'Database unavailable; retry later',
})
@Controller()
export class SubscriptionFeedController {
  constructor(private readonly feed: SubscriptionFetchService) {}

  @Get(SUB_AUTO_ROUTE)
  async auto(
    @Param('token') token: string,
    @Query() query: SubscriptionQueryDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const output = detectOutput(userAgent, query.flag);
    await this.send(req, res, token, output, protocolsOf(query.types));
  }

  @Get(SUB_FORMAT_ROUTE)
  async format(
    @Param('token') token: string,
    @Param('format') format: string,
    @Query() query: SubscriptionQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!(FORMAT_NAMES as readonly string[]).includes(format))
      throw new NotFoundException(`Cannot ${req.method} ${req.originalUrl}`);
    const protocols = protocolsOf(query.types);
    await this.send(req, res, token, format as FormatName, protocols);
  }

  @Get(SEED_LINK_ROUTE)
  async link(
    @Param('token') token: string,
    @Query() query: LinkQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const protocols = linkProtocolsOf(query.mu, query.types);
    await this.send(req, res, token, 'seed-links', protocols);
  }

  private async send(
    req: Request,
    res: Response,
    token: string,
    output: OutputKind,
    protocols: Set<ProtocolName> | null,
  ): Promise<void> {
    const reply = await this.feed.fetch({
      token,
      output,
      protocols,
      ip: req.ip ?? '',
      userAgent: req.get('user-agent') ?? '',
      method: req.method,
      url: req.originalUrl,
    });
    writeProfile(res, reply);
  }
}
