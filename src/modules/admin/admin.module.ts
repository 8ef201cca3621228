import { Module } from '@nestjs/common';
import { AdminOverviewController } from './admin-overview.controller.js';
import { AdminOverviewService } from './admin-overview.service.js';
import { AdminUserController } from './admin-user.controller.js';
import { AdminUserRepository } from './admin-user.repository.js';
import { AdminUserService } from './admin-user.service.js';

@Module({
  controllers: [AdminOverviewController, AdminUserController],
  providers: [AdminOverviewService, AdminUserService, AdminUserRepository],
})
export class AdminModule {}
