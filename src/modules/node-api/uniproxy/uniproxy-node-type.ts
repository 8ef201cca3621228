import type { ProtocolName } from '../../node/protocol/index.js';

/** The `node_type` values UniProxy agents send, after normalisation. */
export type UniProxyNodeType =
  | 'vmess'
  | 'vless'
  | 'trojan'
  | 'shadowsocks'
  | 'hysteria2'
  | 'tuic'
  | 'anytls';

/**
 * Spellings → the normalised type. XrayR lower-cases its NodeType (`v2ray` for VMess, `vless`
 * when EnableVless); V2bX sends `vmess`/`vless`/…, `hysteria2` (wyx2685 fork), `tuic`, `anytls`;
 * V2Board itself rewrites `v2ray` → vmess and (wyx2685/v2board, Xboard) `hysteria2` → hysteria
 * v2. Panel has Hysteria v2 only, so `hysteria` means v2 as well.
 */
const ALIASES: Record<string, UniProxyNodeType> = {
  v2ray: 'vmess',
  vmess: 'vmess',
  vless: 'vless',
  trojan: 'trojan',
  shadowsocks: 'shadowsocks',
  hysteria: 'hysteria2',
  hysteria2: 'hysteria2',
  tuic: 'tuic',
  anytls: 'anytls',
};

/** Which node protocols (of the node protocol model) each type serves. AnyTLS: none yet. */
const PROTOCOLS: Record<UniProxyNodeType, readonly ProtocolName[]> = {
  vmess: ['vmess'],
  vless: ['vless'],
  trojan: ['trojan'],
  // V2Board's shadowsocks type covers the 2022 ciphers (with server_key).
  shadowsocks: ['shadowsocks2022', 'shadowsocks'],
  hysteria2: ['hysteria2'],
  tuic: ['tuic'],
  anytls: [],
};

/** The normalised type, or null for a spelling no agent sends. */
export function normaliseNodeType(raw: string): UniProxyNodeType | null {
  return ALIASES[raw.trim().toLowerCase()] ?? null;
}

export function typeServes(
  type: UniProxyNodeType,
  protocol: ProtocolName,
): boolean {
  return PROTOCOLS[type].includes(protocol);
}
