import type { NotifyVerification, PaymentGateway } from './payment-gateway.js';

/** No online payment and no callback: an admin marks the order paid (same crediting path). */
export class ManualGateway implements PaymentGateway {
  readonly name = 'manual';
  readonly replies = { success: 'success', fail: 'fail' };

  paymentUrl(): null {
    return null;
  }

  verifyNotify(): NotifyVerification {
    return { ok: false, reason: 'the manual gateway has no callback' };
  }
}
