import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE_KEY = 'panel:raw-response';

/** The handler answers in its own shape (SSPanel `/mod_mu`, health, gateway replies). */
export const RawResponse = (): ClassDecorator & MethodDecorator =>
  SetMetadata(RAW_RESPONSE_KEY, true);
