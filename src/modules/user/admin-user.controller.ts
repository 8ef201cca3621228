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
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import { BalanceAdjusted, AdminUserService } from './admin-user.service.js';
import {
  AdminBalanceAdjustDto,
  AdminUserDto,
  AdminUserQueryDto,
  AdminUserUpdateDto,
} from './dto/admin-user.dto.js';

@AdminOnly()
@Controller('admin/users')
export class AdminUserController {
  constructor(private readonly adminUsers: AdminUserService) {}

  @Get()
  search(
    @Query() query: AdminUserQueryDto,
  ): Promise<{ users: AdminUserDto[]; count: number }> {
    return this.adminUsers.search(query);
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number): Promise<AdminUserDto> {
    return this.adminUsers.get(id);
  }

  @Patch(':id')
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: AdminUserUpdateDto,
  ): Promise<AdminUserDto> {
    return this.adminUsers.update(id, dto);
  }

  @Post(':id/reset-traffic')
  @HttpCode(HttpStatus.OK)
  resetTraffic(@Param('id', ParseIntPipe) id: number): Promise<AdminUserDto> {
    return this.adminUsers.resetTraffic(id);
  }

  @Post(':id/balance')
  @HttpCode(HttpStatus.OK)
  adjustBalance(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: AdminBalanceAdjustDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<BalanceAdjusted> {
    return this.adminUsers.adjustBalance(id, dto, admin.id);
  }
}
