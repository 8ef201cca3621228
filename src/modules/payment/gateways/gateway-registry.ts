import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, paymentConfig } from '../../../config/index.js';
import type {
  AmountLimits,
  GatewayBlock,
} from '../../../config/payment.config.js';
import { API_PREFIX } from '../../../common/http/routes.js';
import { AlipayF2fGateway } from './alipay-f2f.gateway.js';
import { BepusdtGateway } from './bepusdt.gateway.js';
import { EPAY_TYPES, EpayGateway, EpayName } from './epay.gateway.js';
import { ManualGateway } from './manual.gateway.js';
import type { PaymentGateway } from './payment-gateway.js';
import { StripeGateway } from './stripe.gateway.js';

/**
 * The enabled gateways by name, each with its block's top-up bounds; a gateway without its
 * complete configuration block is simply absent. Callbacks go to
 * `<PAYMENT_NOTIFY_URL or PUBLIC_URL>/app/api/v0/payment/notify/<name>`.
 */
@Injectable()
export class GatewayRegistry {
  private readonly logger = new Logger(GatewayRegistry.name);
  private readonly gateways = new Map<string, PaymentGateway>();
  private readonly limits = new Map<string, AmountLimits>();
  private readonly blockLimits: Record<GatewayBlock, AmountLimits>;

  constructor(
    @Inject(paymentConfig.KEY) payment: ConfigType<typeof paymentConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    const notifyBase = payment.notifyBaseUrl ?? app.publicUrl;
    const notifyUrl = (name: string) =>
      `${notifyBase}/${API_PREFIX}/payment/notify/${name}`;
    const returnUrl = `${app.publicUrl}/`;
    const timeoutMs = payment.gatewayTimeoutMs;
    this.blockLimits = payment.limits;
    if (payment.epay) {
      for (const name of Object.keys(EPAY_TYPES) as EpayName[]) {
        this.add(
          new EpayGateway(name, payment.epay, {
            notifyUrl: notifyUrl(name),
            returnUrl,
          }),
          'epay',
        );
      }
    }
    if (payment.stripe)
      this.add(
        new StripeGateway(
          { ...payment.stripe, timeoutMs },
          { notifyUrl: notifyUrl('stripe'), returnUrl },
        ),
        'stripe',
      );
    if (payment.alipayF2f)
      this.add(
        new AlipayF2fGateway(
          { ...payment.alipayF2f, timeoutMs },
          { notifyUrl: notifyUrl('alipay_f2f') },
        ),
        'alipay_f2f',
      );
    if (payment.bepusdt)
      this.add(
        new BepusdtGateway(
          { ...payment.bepusdt, timeoutMs },
          { notifyUrl: notifyUrl('bepusdt'), returnUrl },
        ),
        'bepusdt',
      );
    if (payment.manualEnabled) this.add(new ManualGateway(), 'manual');
    for (const name of payment.incomplete)
      this.logger.warn(
        `Payment gateway ${name} is off: its configuration block is incomplete`,
      );
  }

  get(name: string): PaymentGateway | undefined {
    return this.gateways.get(name);
  }

  /** The top-up bounds of an enabled gateway (its block's, else PAYMENT_MIN / PAYMENT_MAX). */
  limitsOf(gateway: PaymentGateway): AmountLimits {
    const limits = this.limits.get(gateway.name);
    if (!limits) throw new Error(`Gateway ${gateway.name} is not registered`);
    return limits;
  }

  enabledNames(): string[] {
    return [...this.gateways.keys()];
  }

  all(): PaymentGateway[] {
    return [...this.gateways.values()];
  }

  private add(gateway: PaymentGateway, block: GatewayBlock): void {
    this.gateways.set(gateway.name, gateway);
    this.limits.set(gateway.name, this.blockLimits[block]);
  }
}
