import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { readEnv, toNumber } from './env.util.js';

export class ThrottleEnv {
  /** Length of every rate-limit window, in seconds. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_WINDOW_S = 60;

  /** Login and register attempts per client IP per window (each route counts separately). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_AUTH_LIMIT = 10;

  /**
   * Registration attempts per email address (trimmed, lower case) per window, from any IP: a
   * known email answers 409, so this bounds probing one address from rotating IPs.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_REGISTER_EMAIL_LIMIT = 5;

  /** Payment orders a user may create per window. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_PAYMENT_LIMIT = 10;

  /** Requests per node (node id and address) per window on node-agent routes. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_NODE_LIMIT = 600;

  /** Fetches of one subscription token per window (`/sub/:token…`, `/link/:token`). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  THROTTLE_SUB_LIMIT = 30;
}

export const throttleConfig = registerAs('throttle', () => {
  const env = readEnv(ThrottleEnv);
  return {
    windowMs: env.THROTTLE_WINDOW_S * 1000,
    authLimit: env.THROTTLE_AUTH_LIMIT,
    registrationEmailLimit: env.THROTTLE_REGISTER_EMAIL_LIMIT,
    paymentLimit: env.THROTTLE_PAYMENT_LIMIT,
    nodeLimit: env.THROTTLE_NODE_LIMIT,
    subscriptionLimit: env.THROTTLE_SUB_LIMIT,
  };
});
