import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'panel:public';

/** Opts a route out of the global user-JWT guard (node routes add their own key guard). */
export const Public = (): ClassDecorator & MethodDecorator =>
  SetMetadata(IS_PUBLIC_KEY, true);
