import { Module } from '@nestjs/common';
import { TrafficSnapshotStore } from './traffic-snapshot.store.js';
import { UserDeletionService } from './user-deletion.service.js';
import { UserMaintenanceRepository } from './user-maintenance.repository.js';
import { UserMaintenanceService } from './user-maintenance.service.js';
import { UserTrafficGuardService } from './user-traffic-guard.service.js';
import { UserController } from './user.controller.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

@Module({
  controllers: [UserController],
  providers: [
    UserService,
    UserRepository,
    UserMaintenanceService,
    UserMaintenanceRepository,
    UserTrafficGuardService,
    UserDeletionService,
    TrafficSnapshotStore,
  ],
  exports: [
    UserService,
    UserRepository,
    UserMaintenanceService,
    UserTrafficGuardService,
    UserDeletionService,
  ],
})
export class UserModule {}
