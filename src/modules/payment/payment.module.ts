import { DynamicModule, Module } from '@nestjs/common';
import { ReferralModule } from '../referral/referral.module.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import { PaymentAdminController } from './payment-admin.controller.js';
import { PaymentAdminService } from './payment-admin.service.js';
import { PaymentCreditService } from './payment-credit.service.js';
import { isPaymentDebugRouteEnabled } from './payment-debug.js';
import { PaymentDebugController } from './payment-debug.controller.js';
import { PaymentDebugService } from './payment-debug.service.js';
import { PaymentNotifyController } from './payment-notify.controller.js';
import { PaymentNotifyService } from './payment-notify.service.js';
import { PaymentOrderService } from './payment-order.service.js';
import { PaymentController } from './payment.controller.js';
import { PaymentRepository } from './payment.repository.js';

/**
 * Top-up orders, gateways and the one crediting path. Import it as
 * `forwardRef(() => PaymentModule.register())`: Nest resolves the reference when it compiles
 * the app, so the environment the app boots with (not the one at import time) decides whether
 * the debug route is registered at all.
 */
@Module({
  imports: [ReferralModule],
  controllers: [
    PaymentController,
    PaymentNotifyController,
    PaymentAdminController,
  ],
  providers: [
    GatewayRegistry,
    PaymentRepository,
    PaymentCreditService,
    PaymentOrderService,
    PaymentNotifyService,
    PaymentDebugService,
    PaymentAdminService,
  ],
  exports: [PaymentCreditService, PaymentOrderService],
})
export class PaymentModule {
  static register(): DynamicModule {
    return {
      module: PaymentModule,
      controllers: isPaymentDebugRouteEnabled() ? [PaymentDebugController] : [],
    };
  }
}
