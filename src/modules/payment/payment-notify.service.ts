import { Injectable } from '@nestjs/common';
import { GatewayRegistry } from './gateways/gateway-registry.js';
import type { CallbackRequest } from './gateways/payment-gateway.js';
import {
  CallbackOutcome,
  PaymentCallbackService,
} from './payment-callback.service.js';

export interface NotifyResult {
  outcome: CallbackOutcome;
  /** HTTP status: 2xx acknowledges, 4xx refuses, 5xx asks the gateway to retry. */
  status: number;
  /** The text the gateway expects (`success` / `fail` for epay and Alipay, `ok` for BEPUSDT). */
  reply: string;
}

const FALLBACK_REPLIES = { success: 'success', fail: 'fail' };

const STATUS: Record<CallbackOutcome, number> = {
  credited: 200,
  already_paid: 200,
  // Authentic but nothing to credit (another Stripe event, a trade still waiting): acknowledged.
  ignored: 200,
  rejected: 400,
  mismatch: 400,
  // Our failure, not the gateway's: it will retry.
  unavailable: 503,
  error: 500,
};

/**
 * A gateway callback: the gateway verifies it (signature and content, no database), then the
 * callback service checks it against the order and credits through the one crediting path.
 */
@Injectable()
export class PaymentNotifyService {
  constructor(
    private readonly gateways: GatewayRegistry,
    private readonly callbacks: PaymentCallbackService,
  ) {}

  /** Handles one notify of `gatewayName` (GET or POST, form or JSON, raw body kept). */
  async handle(
    gatewayName: string,
    req: CallbackRequest,
  ): Promise<NotifyResult> {
    const gateway = this.gateways.get(gatewayName);
    const verification = gateway ? gateway.verifyCallback(req) : null;
    const { outcome } = await this.callbacks.settle(
      gatewayName,
      gateway,
      verification,
      'notify',
    );
    const replies = gateway?.replies ?? FALLBACK_REPLIES;
    const status = STATUS[outcome];
    return {
      outcome,
      status,
      reply: status === 200 ? replies.success : replies.fail,
    };
  }
}
