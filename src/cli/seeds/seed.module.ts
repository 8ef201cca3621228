import { Module } from '@nestjs/common';
import { AuthModule } from '../../modules/auth/auth.module.js';
import { UserModule } from '../../modules/user/user.module.js';
import { DemoSeedService } from './demo-seed.service.js';

@Module({
  imports: [AuthModule, UserModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
