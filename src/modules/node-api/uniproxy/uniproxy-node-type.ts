import type { ProtocolName } from '../../node/protocol/index.js';

/** The `node_type` values UniProxy agents send, after normalisation. */
export type UniProxyNodeType =
  | 'vmess'
  | 'vless'
  | 'trojan'
  | 'shadowsocks'
  | 'hysteria2'
  | 'hysteria'
  | 'tuic'
  | 'anytls';

/**
 * Spellings → the normalised type. XrayR lower-cases its NodeType (`v2ray` for VMess, `vless`
 * when EnableVless); V2bX sends `vmess`/`vless`/…, `hysteria`, `hysteria2` (wyx2685 fork),
 * `tuic`, `anytls`. V2Board rewrites `v2ray` → vmess and keeps both Hysteria versions in one
 * table told apart by `version`, but every V2bX (InazumaV and wyx2685, api/panel/node.go)
 * decodes node_type `hysteria` into its v1 struct and runs a v1 inbound: so `hysteria` is
 * Hysteria v1 here and `hysteria2` v2, and a v2 node asked for as `hysteria` is refused rather
 * than served to an agent that would listen with the wrong protocol.
 */
const ALIASES: Record<string, UniProxyNodeType> = {
  v2ray: 'vmess',
  vmess: 'vmess',
  vless: 'vless',
  trojan: 'trojan',
  shadowsocks: 'shadowsocks',
  hysteria: 'hysteria',
  hysteria2: 'hysteria2',
  tuic: 'tuic',
  anytls: 'anytls',
};

/** Which node protocols (of the node protocol model) each type serves. */
const PROTOCOLS: Record<UniProxyNodeType, readonly ProtocolName[]> = {
  vmess: ['vmess'],
  vless: ['vless'],
  trojan: ['trojan'],
  // V2Board's shadowsocks type covers the 2022 ciphers (with server_key).
  shadowsocks: ['shadowsocks2022', 'shadowsocks'],
  hysteria2: ['hysteria2'],
  hysteria: ['hysteria'],
  tuic: ['tuic'],
  anytls: ['anytls'],
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

/** The node_type an agent must run for a protocol (for the mismatch message). */
export function nodeTypeFor(protocol: ProtocolName): UniProxyNodeType | null {
  const types = Object.keys(PROTOCOLS) as UniProxyNodeType[];
  return types.find((type) => PROTOCOLS[type].includes(protocol)) ?? null;
}
