import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseIntPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import { AdminDetectRuleService } from './admin-detect-rule.service.js';
import {
  AdminDetectRuleCreateDto,
  AdminDetectRuleDto,
  AdminDetectRuleUpdateDto,
} from './dto/admin-detect-rule.dto.js';

@AdminOnly()
@Controller('admin/detect-rules')
export class AdminDetectRuleController {
  constructor(private readonly rules: AdminDetectRuleService) {}

  @Get()
  list(): Promise<AdminDetectRuleDto[]> {
    return this.rules.list();
  }

  @Post()
  create(@Body() dto: AdminDetectRuleCreateDto): Promise<AdminDetectRuleDto> {
    return this.rules.create(dto);
  }

  @Patch(':id')
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: AdminDetectRuleUpdateDto,
  ): Promise<AdminDetectRuleDto> {
    return this.rules.update(id, dto);
  }

  @Delete(':id')
  remove(@Param('id', ParseIntPipe) id: number): Promise<{ id: number }> {
    return this.rules.remove(id);
  }
}
