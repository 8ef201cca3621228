import { Module } from '@nestjs/common';
import { PasswordService } from '../auth/password.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { AdminUserController } from './admin-user.controller.js';
import { AdminUserService } from './admin-user.service.js';
import { TrafficSnapshotStore } from './traffic-snapshot.store.js';
import { UserDeletionService } from './user-deletion.service.js';
import { UserMaintenanceRepository } from './user-maintenance.repository.js';
import { UserMaintenanceService } from './user-maintenance.service.js';
import { UserTrafficGuardService } from './user-traffic-guard.service.js';
import { UserController } from './user.controller.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

/**
 * The user domain: the account view, the operator's user routes (balance changes through the
 * ledger) and the maintenance jobs' account rules, over the one owner of the `user` table's SQL.
 */
@Module({
  imports: [LedgerModule],
  controllers: [UserController, AdminUserController],
  providers: [
    UserService,
    AdminUserService,
    UserRepository,
    UserMaintenanceService,
    UserMaintenanceRepository,
    UserTrafficGuardService,
    UserDeletionService,
    TrafficSnapshotStore,
    // Provided here, not in AuthModule (which imports this one): the operator's password reset
    // hashes with it too.
    PasswordService,
  ],
  exports: [
    PasswordService,
    UserService,
    UserRepository,
    UserMaintenanceService,
    UserTrafficGuardService,
    UserDeletionService,
  ],
})
export class UserModule {}
