import type {
  CallbackVerification,
  Checkout,
  PaymentGateway,
} from './payment-gateway.js';

/** No online payment and no callback: an admin marks the order paid (same crediting path). */
export class ManualGateway implements PaymentGateway {
  readonly name = 'manual';
  readonly currency = null;
  readonly replies = { success: 'success', fail: 'fail' };

  createCheckout(): Promise<Checkout> {
    return Promise.resolve({ paymentUrl: null });
  }

  verifyCallback(): CallbackVerification {
    return { ok: false, reason: 'the manual gateway has no callback' };
  }
}
