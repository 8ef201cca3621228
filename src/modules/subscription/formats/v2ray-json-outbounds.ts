import type {
  Security,
  Transport,
  TrojanNode,
  VlessNode,
  VmessNode,
} from '../../node/protocol/index.js';
import type { ProfileEntry } from './profile.js';
import { usableMethod } from './shadowsocks-ciphers.js';

/** One v2ray/Xray outbound object (`outbounds[]` of a v4-style JSON config). */
export type V2rayOutbound = Record<string, unknown>;

/** Which core reads the config: Xray (v2rayN, v2rayNG…) or v2ray-core 4.x (Debian's v2ray). */
export type V2rayCore = 'xray' | 'v2ray';

/** AEAD ciphers both cores build (v2ray 4.34 `infra/conf/shadowsocks.go`, Xray likewise). */
const AEAD_CIPHERS = [
  'aes-128-gcm',
  'aes-256-gcm',
  'chacha20-poly1305',
  'chacha20-ietf-poly1305',
];

/** Xray adds xchacha20 and the 2022 methods; the stream ciphers it dropped are left out. */
const CIPHERS: Record<V2rayCore, ReadonlySet<string>> = {
  v2ray: new Set(AEAD_CIPHERS),
  xray: new Set([
    ...AEAD_CIPHERS,
    'xchacha20-poly1305',
    'xchacha20-ietf-poly1305',
    '2022-blake3-aes-128-gcm',
    '2022-blake3-aes-256-gcm',
    '2022-blake3-chacha20-poly1305',
  ]),
};

/** The outbound for one entry, or null when v2ray/Xray cannot carry it. */
export function v2rayOutbound(
  entry: ProfileEntry,
  tag: string,
  core: V2rayCore,
): V2rayOutbound | null {
  const { node } = entry;
  switch (node.protocol) {
    case 'shadowsocks':
    case 'shadowsocks2022':
      return shadowsocks(entry, tag, core);
    case 'vmess':
    case 'vless':
    case 'trojan':
      return core === 'v2ray' && !v2rayCoreCarries(node)
        ? null
        : streamOutbound(entry, node, tag);
    default:
      return null;
  }
}

/**
 * v2ray 4.34 has no grpc (4.36+) or httpupgrade transport, and it loads Reality and Vision
 * settings without error but ignores them, which would make a plaintext entry: left out.
 */
function v2rayCoreCarries(node: VmessNode | VlessNode | TrojanNode): boolean {
  const { network } = node.transport;
  if (network === 'grpc' || network === 'httpupgrade') return false;
  if (node.security.type === 'reality') return false;
  return !(node.protocol === 'vless' && node.flow);
}

function shadowsocks(
  entry: ProfileEntry,
  tag: string,
  core: V2rayCore,
): V2rayOutbound | null {
  const { node, credentials } = entry;
  // v2ray and Xray have no SIP003 plugin host.
  if (node.protocol === 'shadowsocks' && node.plugin) return null;
  const method = usableMethod(entry, CIPHERS[core]);
  if (!method) return null;
  return {
    tag,
    protocol: 'shadowsocks',
    settings: {
      servers: [
        {
          address: node.address,
          port: credentials.port,
          method,
          password: credentials.password,
        },
      ],
    },
  };
}

function streamOutbound(
  entry: ProfileEntry,
  node: VmessNode | VlessNode | TrojanNode,
  tag: string,
): V2rayOutbound | null {
  const transport = transportSettings(node.transport);
  if (!transport) return null;
  return {
    tag,
    protocol: node.protocol,
    settings: protocolSettings(entry, node),
    streamSettings: {
      ...transport,
      ...securitySettings(node.security, node.address),
    },
  };
}

function protocolSettings(
  entry: ProfileEntry,
  node: VmessNode | VlessNode | TrojanNode,
): Record<string, unknown> {
  const { credentials } = entry;
  const address = node.address;
  const port = credentials.port;
  if (node.protocol === 'trojan') {
    return { servers: [{ address, port, password: credentials.password }] };
  }
  const user =
    node.protocol === 'vmess'
      ? { id: credentials.uuid, alterId: 0, security: 'auto' }
      : {
          id: credentials.uuid,
          encryption: 'none',
          ...(node.flow ? { flow: node.flow } : {}),
        };
  return { vnext: [{ address, port, users: [user] }] };
}

/**
 * `network` + its settings; null for h2, which current Xray refuses to load at all
 * (`infra/conf/transport_internet.go`: "HTTP transport" is a removed feature).
 */
function transportSettings(t: Transport): Record<string, unknown> | null {
  switch (t.network) {
    case 'tcp':
      return t.headerType === 'http'
        ? { network: 'tcp', tcpSettings: { header: httpHeader(t) } }
        : { network: 'tcp' };
    case 'ws':
      // headers.Host, not Xray's newer `host`: v2ray 4.x only reads the header map.
      return {
        network: 'ws',
        wsSettings: {
          path: t.path ?? '/',
          ...(t.host ? { headers: { Host: t.host } } : {}),
        },
      };
    case 'httpupgrade':
      return {
        network: 'httpupgrade',
        httpupgradeSettings: {
          path: t.path ?? '/',
          ...(t.host ? { host: t.host } : {}),
        },
      };
    case 'grpc':
      return {
        network: 'grpc',
        grpcSettings: { serviceName: t.serviceName ?? '', multiMode: false },
      };
    default:
      return null;
  }
}

function httpHeader(t: Transport): Record<string, unknown> {
  return {
    type: 'http',
    request: {
      version: '1.1',
      method: 'GET',
      path: [t.path ?? '/'],
      headers: t.host ? { Host: [t.host] } : {},
    },
  };
}

function securitySettings(
  security: Security,
  address: string,
): Record<string, unknown> {
  if (security.type === 'none') return { security: 'none' };
  if (security.type === 'reality') {
    return {
      security: 'reality',
      realitySettings: {
        serverName: security.serverName,
        fingerprint: security.fingerprint,
        publicKey: security.publicKey,
        shortId: security.shortId,
        spiderX: '/',
      },
    };
  }
  const tls: Record<string, unknown> = {
    serverName: security.serverName ?? address,
  };
  if (security.allowInsecure) tls.allowInsecure = true;
  if (security.fingerprint) tls.fingerprint = security.fingerprint;
  if (security.alpn?.length) tls.alpn = security.alpn;
  return { security: 'tls', tlsSettings: tls };
}
