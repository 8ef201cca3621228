import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator.js';
import { RawResponse } from '../../common/decorators/raw-response.decorator.js';
import { MetricsService } from './metrics.service.js';

/**
 * Prometheus scrape endpoint, outside the API prefix. Not routed by the Ingress: Prometheus
 * scrapes pods directly.
 */
@Public()
@RawResponse()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.exposition();
    res.type(this.metrics.contentType).send(body);
  }
}
