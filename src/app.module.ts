import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { EnvelopeInterceptor } from './common/http/envelope.interceptor.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { CONFIG_FACTORIES } from './config/index.js';
import { validateEnvironment } from './config/env.validation.js';
import { DatabaseModule } from './database/database.module.js';
import { SeedModule } from './cli/seeds/seed.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { LoggingModule } from './modules/logging/logging.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { ThrottleModule } from './modules/throttle/throttle.module.js';
import { NodeApiModule } from './modules/node-api/node-api.module.js';
import { NodeModule } from './modules/node/node.module.js';
import { PaymentDebugModule } from './modules/payment/payment-debug.module.js';
import { isPaymentDebugRouteEnabled } from './modules/payment/payment-debug.js';
import { PaymentModule } from './modules/payment/payment.module.js';
import { RedisModule } from './modules/redis/redis.module.js';
import { ReferralModule } from './modules/referral/referral.module.js';
import { SchedulerModule } from './modules/scheduler/scheduler.module.js';
import { ShopModule } from './modules/shop/shop.module.js';
import { SubscriptionModule } from './modules/subscription/subscription.module.js';
import { UserModule } from './modules/user/user.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: CONFIG_FACTORIES,
      validate: validateEnvironment,
    }),
    EventEmitterModule.forRoot(),
    LoggingModule,
    DatabaseModule,
    RedisModule,
    MetricsModule,
    ThrottleModule,
    HealthModule,
    AuthModule,
    UserModule,
    ShopModule,
    NodeModule,
    NodeApiModule,
    SubscriptionModule,
    ReferralModule,
    PaymentModule,
    // Evaluated once ConfigModule has loaded `.env`: the start-up env decides the debug route.
    ConditionalModule.registerWhen(PaymentDebugModule, (env) =>
      isPaymentDebugRouteEnabled(env),
    ),
    AdminModule,
    SchedulerModule,
    SeedModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
  ],
})
export class AppModule {}
