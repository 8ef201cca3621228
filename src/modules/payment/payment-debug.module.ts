import { Module } from '@nestjs/common';
import { PaymentDebugController } from './payment-debug.controller.js';
import { PaymentDebugService } from './payment-debug.service.js';
import { PaymentModule } from './payment.module.js';

/**
 * `POST /payment/debug/confirm`. Mounted by AppModule with `ConditionalModule.registerWhen`
 * only when isPaymentDebugRouteEnabled() (PAYMENT_DEBUG=true outside production), read after
 * ConfigModule has loaded `.env`; without it the route is not registered at all (404).
 */
@Module({
  imports: [PaymentModule],
  controllers: [PaymentDebugController],
  providers: [PaymentDebugService],
})
export class PaymentDebugModule {}
