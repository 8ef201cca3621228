import { PROTOCOL_NAMES, type ProtocolName } from '../node/protocol/index.js';
import type { MuValue } from './dto/subscription.dto.js';
import {
  SubscriptionErrorCode,
  SubscriptionException,
} from './subscription.exception.js';

/** The seed's `mu` families: `ss` covers both Shadowsocks generations. */
const MU_PROTOCOLS: Record<Exclude<MuValue, '2'>, readonly ProtocolName[]> = {
  ss: ['shadowsocks', 'shadowsocks2022'],
  vmess: ['vmess'],
  vless: ['vless'],
  trojan: ['trojan'],
};

/** `?types=vless,trojan` → those protocols; absent → null (all). Unknown names are a 400. */
export function protocolsOf(
  types: string | undefined,
): Set<ProtocolName> | null {
  if (types === undefined || types === '') return null;
  const names = types.split(',');
  const unknown = names.filter(
    (n) => !(PROTOCOL_NAMES as readonly string[]).includes(n),
  );
  if (unknown.length > 0)
    throw new SubscriptionException(
      SubscriptionErrorCode.SUBSCRIPTION_BAD_TYPES,
      `Unknown protocol in types: ${unknown.join(', ')} (known: ${PROTOCOL_NAMES.join(', ')})`,
    );
  return new Set(names as ProtocolName[]);
}

/** `/link/:token?mu=` combined with `?types=`: both filters apply. */
export function linkProtocolsOf(
  mu: MuValue | undefined,
  types: string | undefined,
): Set<ProtocolName> | null {
  const typed = protocolsOf(types);
  if (mu === undefined || mu === '2') return typed;
  const family = MU_PROTOCOLS[mu];
  return new Set(typed ? family.filter((p) => typed.has(p)) : family);
}
