import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import { AdminNodeService } from './admin-node.service.js';
import {
  AdminNodeCreateDto,
  AdminNodeDto,
  AdminNodeQueryDto,
  AdminNodeUpdateDto,
} from './dto/admin-node.dto.js';

@AdminOnly()
@Controller('admin/nodes')
export class AdminNodeController {
  constructor(private readonly adminNodes: AdminNodeService) {}

  @Get()
  list(
    @Query() query: AdminNodeQueryDto,
  ): Promise<{ nodes: AdminNodeDto[]; count: number }> {
    return this.adminNodes.list(query.limit, query.offset);
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number): Promise<AdminNodeDto> {
    return this.adminNodes.get(id);
  }

  @Post()
  create(@Body() dto: AdminNodeCreateDto): Promise<AdminNodeDto> {
    return this.adminNodes.create(dto);
  }

  @Patch(':id')
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: AdminNodeUpdateDto,
  ): Promise<AdminNodeDto> {
    return this.adminNodes.update(id, dto);
  }

  @Post(':id/disable')
  @HttpCode(HttpStatus.OK)
  disable(@Param('id', ParseIntPipe) id: number): Promise<AdminNodeDto> {
    return this.adminNodes.disable(id);
  }
}
