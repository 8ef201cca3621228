import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ReferralModule } from '../referral/referral.module.js';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import { PaymentAdminController } from './payment-admin.controller.js';
import { PaymentAdminService } from './payment-admin.service.js';
import { PaymentCallbackAdminController } from './payment-callback-admin.controller.js';
import { PaymentCallbackRetentionService } from './payment-callback-retention.service.js';
import { PaymentCallbackRepository } from './payment-callback.repository.js';
import { PaymentCallbackService } from './payment-callback.service.js';
import { PaymentCreditService } from './payment-credit.service.js';
import { PaymentNotifyController } from './payment-notify.controller.js';
import { PaymentNotifyService } from './payment-notify.service.js';
import { PaymentOrderService } from './payment-order.service.js';
import { PaymentReconcileService } from './payment-reconcile.service.js';
import { PaymentController } from './payment.controller.js';
import { PaymentRepository } from './payment.repository.js';

/**
 * Top-up orders, gateways and the one crediting path (the debug confirm route is
 * PaymentDebugModule, mounted only when enabled). Imported by the app, the scheduler (order
 * expiry, reconciliation) and PaymentDebugModule.
 */
@Module({
  imports: [LedgerModule, ReferralModule],
  controllers: [
    PaymentController,
    PaymentNotifyController,
    PaymentAdminController,
    PaymentCallbackAdminController,
  ],
  providers: [
    GatewayRegistry,
    PaymentRepository,
    PaymentCreditService,
    PaymentOrderService,
    PaymentNotifyService,
    PaymentAdminService,
    PaymentCallbackRepository,
    PaymentCallbackService,
    PaymentCallbackRetentionService,
    PaymentReconcileService,
  ],
  exports: [
    PaymentCallbackRetentionService,
    PaymentCreditService,
    PaymentOrderService,
    PaymentReconcileService,
    PaymentRepository,
  ],
})
export class PaymentModule {}
