import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import {
  JobNameParamDto,
  JobRunDto,
  JobRunListDto,
  ListJobRunsQueryDto,
  RunJobDto,
} from './dto/job-run.dto.js';
import { SchedulerService } from './scheduler.service.js';

/** Operators run a job by hand (or dry-run it) and read the recent runs. */
@AdminOnly()
@Controller('admin/jobs')
export class SchedulerAdminController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Get()
  list(@Query() query: ListJobRunsQueryDto): Promise<JobRunListDto> {
    return this.scheduler.recentRuns(query.limit, query.job);
  }

  @Post(':name/run')
  @HttpCode(200)
  run(
    @Param() params: JobNameParamDto,
    @Body() dto: RunJobDto,
  ): Promise<JobRunDto> {
    return this.scheduler.runNow(params.name, dto.dry_run ?? false);
  }
}
