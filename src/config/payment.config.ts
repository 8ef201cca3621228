import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { readEnv, toBool, toNumber } from './env.util.js';

export class PaymentEnv {
  /** Enables `POST /payment/debug/confirm`; refused in production. */
  @Transform(toBool)
  @IsBoolean()
  PAYMENT_DEBUG = false;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MIN = 1;

  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MAX = 10_000;

  /** Per-gateway top-up bounds (the gateway block's prefix); unset = PAYMENT_MIN / PAYMENT_MAX. */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  EPAY_MIN?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  EPAY_MAX?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  STRIPE_MIN?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  STRIPE_MAX?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  ALIPAY_MIN?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  ALIPAY_MAX?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  BEPUSDT_MIN?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  BEPUSDT_MAX?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MANUAL_MIN?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  PAYMENT_MANUAL_MAX?: number;

  /** Days the weekly clean keeps `payment_callback` records; 0 = forever. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  PAYMENT_CALLBACK_RETENTION_DAYS = 180;

  /** Unpaid orders older than this become expired (status −1) in the hourly job. */
  @Transform(toNumber)
  @IsInt()
  @Min(60)
  PAYMENT_EXPIRE_S = 3600;

  /** epay gateway (names alipay, wechat, epay); disabled unless all three are set. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  EPAY_URL?: string;

  @IsOptional()
  @IsString()
  EPAY_PID?: string;

  @IsOptional()
  @IsString()
  EPAY_KEY?: string;

  /** The manual gateway (admins mark orders paid). */
  @Transform(toBool)
  @IsBoolean()
  PAYMENT_MANUAL_ENABLED = true;

  /** Base URL of the gateways' callbacks when it differs from PUBLIC_URL (a CDN in front). */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PAYMENT_NOTIFY_URL?: string;

  /** Timeout of one call to a gateway (checkout creation, reconciliation). */
  @Transform(toNumber)
  @IsInt()
  @Min(1000)
  @Max(60_000)
  PAYMENT_GATEWAY_TIMEOUT_MS = 10_000;

  /** Reconciliation asks the gateways about unpaid orders created this recently. */
  @Transform(toNumber)
  @IsInt()
  @Min(600)
  PAYMENT_RECONCILE_WINDOW_S = 172_800;

  /** Stripe: on when the secret key and the webhook secret are set. */
  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @Matches(/^[A-Za-z]{3}$/, {
    message: 'STRIPE_CURRENCY must be an ISO 4217 code',
  })
  STRIPE_CURRENCY = 'usd';

  /** Stripe's API base URL (a test points it at a local fake). */
  @IsUrl({ require_tld: false, require_protocol: true })
  STRIPE_API_URL = 'https://api.stripe.com';

  /** Alipay face-to-face: on when the app id and both keys are set. */
  @IsOptional()
  @IsString()
  ALIPAY_APP_ID?: string;

  /** The app's RSA2 private key, PEM or bare base64 (PKCS#8 or PKCS#1). */
  @IsOptional()
  @IsString()
  ALIPAY_PRIVATE_KEY?: string;

  /** Alipay's RSA2 public key (not the app's), PEM or bare base64. */
  @IsOptional()
  @IsString()
  ALIPAY_PUBLIC_KEY?: string;

  @IsUrl({ require_tld: false, require_protocol: true })
  ALIPAY_GATEWAY_URL = 'https://openapi.alipay.com/gateway.do';

  /** BEPUSDT / epusdt: on when the URL and the API token are set. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  BEPUSDT_URL?: string;

  @IsOptional()
  @IsString()
  BEPUSDT_TOKEN?: string;

  @Matches(/^[a-z0-9._-]{1,32}$/, {
    message: 'BEPUSDT_TRADE_TYPE must be a trade type like usdt.trc20',
  })
  BEPUSDT_TRADE_TYPE = 'usdt.trc20';
}

const trimUrl = (url: string): string => url.replace(/\/+$/, '');

/** The gateway configuration blocks; epay's covers its three names (alipay, wechat, epay). */
export type GatewayBlock =
  'epay' | 'stripe' | 'alipay_f2f' | 'bepusdt' | 'manual';

/** Top-up bounds of one gateway block, in the order's currency units. */
export interface AmountLimits {
  min: number;
  max: number;
}

/** Each block's bound variables (a variable left unset takes the global bound). */
const LIMIT_VARS: Record<
  GatewayBlock,
  [min: keyof PaymentEnv, max: keyof PaymentEnv]
> = {
  epay: ['EPAY_MIN', 'EPAY_MAX'],
  stripe: ['STRIPE_MIN', 'STRIPE_MAX'],
  alipay_f2f: ['ALIPAY_MIN', 'ALIPAY_MAX'],
  bepusdt: ['BEPUSDT_MIN', 'BEPUSDT_MAX'],
  manual: ['PAYMENT_MANUAL_MIN', 'PAYMENT_MANUAL_MAX'],
};

function gatewayLimits(env: PaymentEnv): Record<GatewayBlock, AmountLimits> {
  const limits = {} as Record<GatewayBlock, AmountLimits>;
  for (const [block, [minVar, maxVar]] of Object.entries(LIMIT_VARS)) {
    limits[block as GatewayBlock] = {
      min: (env[minVar] as number | undefined) ?? env.PAYMENT_MIN,
      max: (env[maxVar] as number | undefined) ?? env.PAYMENT_MAX,
    };
  }
  return limits;
}

/** Bounds that cannot hold an amount (min above max), globally or once a block's defaults apply. */
export function paymentRangeProblems(env: PaymentEnv): string[] {
  if (env.PAYMENT_MIN > env.PAYMENT_MAX)
    return ['PAYMENT_MAX: must be at least PAYMENT_MIN'];
  const limits = gatewayLimits(env);
  return Object.entries(LIMIT_VARS)
    .filter(([block]) => {
      const { min, max } = limits[block as GatewayBlock];
      return min > max;
    })
    .map(
      ([block, [minVar, maxVar]]) =>
        `${maxVar}: must be at least ${minVar} (${limits[block as GatewayBlock].min}; unset bounds are PAYMENT_MIN / PAYMENT_MAX)`,
    );
}

export const paymentConfig = registerAs('payment', () => {
  const env = readEnv(PaymentEnv);
  return {
    debug: env.PAYMENT_DEBUG,
    /** Per gateway block: its own bounds, else PAYMENT_MIN / PAYMENT_MAX. */
    limits: gatewayLimits(env),
    expireS: env.PAYMENT_EXPIRE_S,
    callbackRetentionDays: env.PAYMENT_CALLBACK_RETENTION_DAYS,
    epay:
      env.EPAY_URL && env.EPAY_PID && env.EPAY_KEY
        ? {
            url: env.EPAY_URL.replace(/\/+$/, ''),
            pid: env.EPAY_PID,
            key: env.EPAY_KEY,
          }
        : undefined,
    manualEnabled: env.PAYMENT_MANUAL_ENABLED,
    notifyBaseUrl: env.PAYMENT_NOTIFY_URL
      ? trimUrl(env.PAYMENT_NOTIFY_URL)
      : undefined,
    gatewayTimeoutMs: env.PAYMENT_GATEWAY_TIMEOUT_MS,
    reconcileWindowS: env.PAYMENT_RECONCILE_WINDOW_S,
    stripe:
      env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
        ? {
            secretKey: env.STRIPE_SECRET_KEY,
            webhookSecret: env.STRIPE_WEBHOOK_SECRET,
            currency: env.STRIPE_CURRENCY.toLowerCase(),
            apiUrl: trimUrl(env.STRIPE_API_URL),
          }
        : undefined,
    alipayF2f:
      env.ALIPAY_APP_ID && env.ALIPAY_PRIVATE_KEY && env.ALIPAY_PUBLIC_KEY
        ? {
            appId: env.ALIPAY_APP_ID,
            privateKey: env.ALIPAY_PRIVATE_KEY,
            publicKey: env.ALIPAY_PUBLIC_KEY,
            gatewayUrl: env.ALIPAY_GATEWAY_URL,
          }
        : undefined,
    bepusdt:
      env.BEPUSDT_URL && env.BEPUSDT_TOKEN
        ? {
            url: trimUrl(env.BEPUSDT_URL),
            token: env.BEPUSDT_TOKEN,
            tradeType: env.BEPUSDT_TRADE_TYPE,
          }
        : undefined,
    /** Blocks with some but not all of their variables (logged at start, left off). */
    incomplete: incompleteBlocks(env),
  };
});

/** Gateway blocks an operator began but did not finish: named at start so "off" is no surprise. */
function incompleteBlocks(env: PaymentEnv): string[] {
  const blocks: Record<string, (string | undefined)[]> = {
    epay: [env.EPAY_URL, env.EPAY_PID, env.EPAY_KEY],
    stripe: [env.STRIPE_SECRET_KEY, env.STRIPE_WEBHOOK_SECRET],
    alipay_f2f: [
      env.ALIPAY_APP_ID,
      env.ALIPAY_PRIVATE_KEY,
      env.ALIPAY_PUBLIC_KEY,
    ],
    bepusdt: [env.BEPUSDT_URL, env.BEPUSDT_TOKEN],
  };
  return Object.entries(blocks)
    .filter(([, vars]) => vars.some(Boolean) && !vars.every(Boolean))
    .map(([name]) => name);
}
