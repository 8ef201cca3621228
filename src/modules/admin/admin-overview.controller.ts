import { Controller, Get } from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import {
  AdminOverview,
  AdminOverviewService,
} from './admin-overview.service.js';

@AdminOnly()
@Controller('admin')
export class AdminOverviewController {
  constructor(private readonly overviewService: AdminOverviewService) {}

  @Get('overview')
  overview(): Promise<AdminOverview> {
    return this.overviewService.overview();
  }
}
