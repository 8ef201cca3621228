import {
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { SUBSCRIPTION_PREFIX } from '../../../common/http/routes.js';
import { FORMAT_NAMES, type FormatName } from '../formats/profile.js';

/** A comma list of protocol names (`vless,trojan`); checked against the model by the service. */
const TYPES_PATTERN = /^[a-z0-9]+(,[a-z0-9]+)*$/;

export class SubscriptionQueryDto {
  /** Overrides the User-Agent: a format name (`clash`, `singbox`, …) or a client name. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  flag?: string;

  /** Only these protocols, e.g. `vless,trojan` (names of the node protocol model). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(TYPES_PATTERN, {
    message: 'types must be a comma-separated list of protocol names',
  })
  types?: string;
}

/** `mu` of the seed `/link` route: 2 = everything, else one protocol family. */
export const MU_VALUES = ['2', 'ss', 'vmess', 'vless', 'trojan'] as const;
export type MuValue = (typeof MU_VALUES)[number];

export class LinkQueryDto {
  @IsOptional()
  @IsIn(MU_VALUES, { message: `mu must be one of ${MU_VALUES.join(', ')}` })
  mu?: MuValue;

  /** Only these protocols, e.g. `vless,trojan`. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(TYPES_PATTERN, {
    message: 'types must be a comma-separated list of protocol names',
  })
  types?: string;
}

export class SubscriptionInfoDto {
  /** The secret part of every URL below. */
  token: string;
  /** `/sub/<token>`: the client's format picked from its User-Agent. */
  url: string;
  /** One URL per format (`clash`, `singbox`, `v2ray`, `sip008`, `v2ray-json`). */
  urls: Record<FormatName, string>;

  static of(publicUrl: string, token: string): SubscriptionInfoDto {
    const url = `${publicUrl}/${SUBSCRIPTION_PREFIX}/${token}`;
    const urls = Object.fromEntries(
      FORMAT_NAMES.map((f) => [f, `${url}/${f}`]),
    ) as Record<FormatName, string>;
    return Object.assign(new SubscriptionInfoDto(), { token, url, urls });
  }
}
