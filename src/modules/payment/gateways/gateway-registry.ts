import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, paymentConfig } from '../../../config/index.js';
import { API_PREFIX } from '../../../common/http/routes.js';
import { EPAY_TYPES, EpayGateway, EpayName } from './epay.gateway.js';
import { ManualGateway } from './manual.gateway.js';
import type { PaymentGateway } from './payment-gateway.js';

/** The enabled gateways by name; a gateway without its configuration is simply absent. */
@Injectable()
export class GatewayRegistry {
  private readonly gateways = new Map<string, PaymentGateway>();

  constructor(
    @Inject(paymentConfig.KEY) payment: ConfigType<typeof paymentConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    if (payment.epay) {
      for (const name of Object.keys(EPAY_TYPES) as EpayName[]) {
        this.gateways.set(
          name,
          new EpayGateway(name, payment.epay, {
            notifyUrl: `${app.publicUrl}/${API_PREFIX}/payment/notify/${name}`,
            returnUrl: `${app.publicUrl}/`,
          }),
        );
      }
    }
    if (payment.manualEnabled) this.gateways.set('manual', new ManualGateway());
  }

  get(name: string): PaymentGateway | undefined {
    return this.gateways.get(name);
  }

  enabledNames(): string[] {
    return [...this.gateways.keys()];
  }
}
