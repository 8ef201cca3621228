import type {
  AnyTlsNode,
  Hysteria2Node,
  HysteriaNode,
  RealitySecurity,
  Security,
  ShadowsocksNode,
  Transport,
  TrojanNode,
  TuicNode,
  VlessNode,
  VmessNode,
} from '../../node/protocol/index.js';
import { isObfsPlugin, parsePluginOptions } from './format-helpers.js';
import {
  LEGACY_CLASH_CIPHERS,
  MIHOMO_CIPHERS,
  usableMethod,
} from './shadowsocks-ciphers.js';
import type { ProfileEntry } from './profile.js';

/** One entry of Clash's `proxies:` list, keyed as mihomo's `adapter/outbound/*.go` tags say. */
export type ClashProxy = Record<string, unknown>;

/** The proxy for one entry, or null when this Clash flavour cannot carry it. */
export function clashProxy(
  entry: ProfileEntry,
  name: string,
  meta: boolean,
): ClashProxy | null {
  const { node } = entry;
  const common = {
    name,
    server: node.address,
    port: entry.credentials.port,
  };
  switch (node.protocol) {
    case 'shadowsocks':
      return shadowsocks(entry, node, common, meta);
    case 'shadowsocks2022':
      return meta ? ss2022(entry, common) : null;
    case 'vmess':
      return vmess(entry, node, common, meta);
    case 'vless':
      return meta ? vless(entry, node, common) : null;
    case 'trojan':
      return trojan(entry, node, common, meta);
    case 'hysteria2':
      return meta ? hysteria2(entry, node, common) : null;
    case 'hysteria':
      return meta ? hysteria(entry, node, common) : null;
    case 'tuic':
      return meta ? tuic(entry, node, common) : null;
    case 'anytls':
      return meta ? anytls(entry, node, common) : null;
    default:
      return null;
  }
}

type Common = { name: string; server: string; port: number };

function shadowsocks(
  entry: ProfileEntry,
  node: ShadowsocksNode,
  common: Common,
  meta: boolean,
): ClashProxy | null {
  const cipher = usableMethod(
    entry,
    meta ? MIHOMO_CIPHERS : LEGACY_CLASH_CIPHERS,
  );
  if (!cipher) return null;
  const proxy: ClashProxy = {
    ...common,
    type: 'ss',
    cipher,
    password: entry.credentials.password,
    udp: true,
  };
  if (!node.plugin) return proxy;
  const plugin = clashPlugin(node.plugin);
  return plugin ? { ...proxy, ...plugin } : null;
}

/** SIP003 plugins → Clash's built-in `obfs` / `v2ray-plugin` (the only two both flavours have). */
function clashPlugin(plugin: {
  name: string;
  options: string;
}): ClashProxy | null {
  const opts = parsePluginOptions(plugin.options);
  if (isObfsPlugin(plugin.name)) {
    const mode = opts.obfs;
    if (mode !== 'http' && mode !== 'tls') return null;
    const host = opts['obfs-host'];
    return {
      plugin: 'obfs',
      'plugin-opts': { mode, ...(typeof host === 'string' ? { host } : {}) },
    };
  }
  if (plugin.name === 'v2ray-plugin') {
    if (opts.mode !== undefined && opts.mode !== 'websocket') return null;
    const pluginOpts: Record<string, unknown> = { mode: 'websocket' };
    if (typeof opts.host === 'string') pluginOpts.host = opts.host;
    if (typeof opts.path === 'string') pluginOpts.path = opts.path;
    if (opts.tls) pluginOpts.tls = true;
    if (opts.mux !== undefined) pluginOpts.mux = opts.mux !== '0';
    return { plugin: 'v2ray-plugin', 'plugin-opts': pluginOpts };
  }
  return null;
}

function ss2022(entry: ProfileEntry, common: Common): ClashProxy | null {
  const cipher = usableMethod(entry, MIHOMO_CIPHERS);
  if (!cipher) return null;
  return {
    ...common,
    type: 'ss',
    cipher,
    password: entry.credentials.password,
    udp: true,
  };
}

function vmess(
  entry: ProfileEntry,
  node: VmessNode,
  common: Common,
  meta: boolean,
): ClashProxy | null {
  const transport = clashTransport(node.transport, meta, node.security.type);
  if (!transport) return null;
  return {
    ...common,
    type: 'vmess',
    uuid: entry.credentials.uuid,
    alterId: 0,
    cipher: 'auto',
    udp: true,
    ...clashTls(node.security, node.address, 'servername', meta),
    ...transport,
  };
}

function vless(
  entry: ProfileEntry,
  node: VlessNode,
  common: Common,
): ClashProxy | null {
  const transport = clashTransport(node.transport, true, node.security.type);
  if (!transport) return null;
  return {
    ...common,
    type: 'vless',
    uuid: entry.credentials.uuid,
    udp: true,
    ...(node.flow ? { flow: node.flow } : {}),
    ...clashTls(node.security, node.address, 'servername', true),
    ...transport,
  };
}

function trojan(
  entry: ProfileEntry,
  node: TrojanNode,
  common: Common,
  meta: boolean,
): ClashProxy | null {
  if (node.security.type === 'reality' && !meta) return null;
  // mihomo's TrojanOption has ws-opts and grpc-opts only: no h2 or HTTP-header transports.
  const { network, headerType } = node.transport;
  if (network === 'h2' || (network === 'tcp' && headerType === 'http')) {
    return null;
  }
  const transport = clashTransport(node.transport, meta, node.security.type);
  if (!transport) return null;
  const tls = clashTls(node.security, node.address, 'sni', meta);
  delete tls.tls;
  return {
    ...common,
    type: 'trojan',
    password: entry.credentials.password,
    udp: true,
    ...tls,
    ...transport,
  };
}

/** TLS keys; trojan names the SNI `sni`, vmess/vless `servername` and need `tls: true`. */
function clashTls(
  security: Security,
  address: string,
  sniKey: 'sni' | 'servername',
  meta: boolean,
): ClashProxy {
  if (security.type === 'none') return {};
  if (security.type === 'reality') return clashReality(security, sniKey);
  const tls: ClashProxy = {
    tls: true,
    [sniKey]: security.serverName ?? address,
    'skip-cert-verify': security.allowInsecure,
  };
  // Dreamacro's VmessOption has no alpn; its TrojanOption does.
  if (security.alpn?.length && (meta || sniKey === 'sni')) {
    tls.alpn = security.alpn;
  }
  if (meta && security.fingerprint) {
    tls['client-fingerprint'] = security.fingerprint;
  }
  return tls;
}

function clashReality(
  reality: RealitySecurity,
  sniKey: 'sni' | 'servername',
): ClashProxy {
  return {
    tls: true,
    [sniKey]: reality.serverName,
    'client-fingerprint': reality.fingerprint,
    'reality-opts': {
      'public-key': reality.publicKey,
      'short-id': reality.shortId,
    },
  };
}

/** `network` + its `*-opts`; null when this flavour has no such transport. */
function clashTransport(
  t: Transport,
  meta: boolean,
  security: Security['type'],
): ClashProxy | null {
  switch (t.network) {
    case 'tcp':
      return t.headerType === 'http'
        ? {
            network: 'http',
            'http-opts': {
              method: 'GET',
              path: [t.path ?? '/'],
              ...(t.host ? { headers: { Host: [t.host] } } : {}),
            },
          }
        : { network: 'tcp' };
    case 'ws':
      return { network: 'ws', 'ws-opts': wsOpts(t) };
    case 'httpupgrade':
      // mihomo carries HTTPUpgrade as a ws flag; Dreamacro's Clash has no such transport.
      return meta
        ? {
            network: 'ws',
            'ws-opts': { ...wsOpts(t), 'v2ray-http-upgrade': true },
          }
        : null;
    case 'grpc':
      return {
        network: 'grpc',
        'grpc-opts': { 'grpc-service-name': t.serviceName ?? '' },
      };
    case 'h2':
      // Clash's h2 transport only runs over TLS.
      if (security === 'none') return null;
      return {
        network: 'h2',
        'h2-opts': {
          path: t.path ?? '/',
          ...(t.host ? { host: [t.host] } : {}),
        },
      };
    default:
      return null;
  }
}

function wsOpts(t: Transport): Record<string, unknown> {
  return {
    path: t.path ?? '/',
    ...(t.host ? { headers: { Host: t.host } } : {}),
  };
}

function hysteria2(
  entry: ProfileEntry,
  node: Hysteria2Node,
  common: Common,
): ClashProxy {
  const proxy: ClashProxy = {
    ...common,
    type: 'hysteria2',
    password: entry.credentials.password,
    sni: node.tls.serverName ?? node.address,
    'skip-cert-verify': node.tls.allowInsecure,
  };
  if (node.tls.alpn?.length) proxy.alpn = node.tls.alpn;
  if (node.ports) proxy.ports = node.ports;
  if (node.obfs) {
    proxy.obfs = node.obfs.type;
    proxy['obfs-password'] = node.obfs.password;
  }
  if (node.upMbps > 0) proxy.up = `${node.upMbps} Mbps`;
  if (node.downMbps > 0) proxy.down = `${node.downMbps} Mbps`;
  return proxy;
}

/** mihomo `type: hysteria` (v1): `up`/`down` are required, `auth-str` the plain password. */
function hysteria(
  entry: ProfileEntry,
  node: HysteriaNode,
  common: Common,
): ClashProxy {
  return {
    ...common,
    type: 'hysteria',
    'auth-str': entry.credentials.password,
    up: `${node.upMbps} Mbps`,
    down: `${node.downMbps} Mbps`,
    protocol: 'udp',
    sni: node.tls.serverName ?? node.address,
    'skip-cert-verify': node.tls.allowInsecure,
    alpn: node.tls.alpn ?? ['hysteria'],
    ...(node.obfsPassword ? { obfs: node.obfsPassword } : {}),
  };
}

/** mihomo `type: anytls` (adapter/outbound/anytls.go). */
function anytls(
  entry: ProfileEntry,
  node: AnyTlsNode,
  common: Common,
): ClashProxy {
  const proxy: ClashProxy = {
    ...common,
    type: 'anytls',
    password: entry.credentials.password,
    sni: node.tls.serverName ?? node.address,
    'skip-cert-verify': node.tls.allowInsecure,
    udp: true,
  };
  if (node.tls.alpn?.length) proxy.alpn = node.tls.alpn;
  if (node.tls.fingerprint) proxy['client-fingerprint'] = node.tls.fingerprint;
  return proxy;
}

function tuic(entry: ProfileEntry, node: TuicNode, common: Common): ClashProxy {
  return {
    ...common,
    type: 'tuic',
    uuid: entry.credentials.uuid,
    password: entry.credentials.password,
    sni: node.tls.serverName ?? node.address,
    alpn: node.tls.alpn ?? ['h3'],
    'skip-cert-verify': node.tls.allowInsecure,
    'congestion-controller': node.congestionControl,
    'udp-relay-mode': node.udpRelayMode,
    'reduce-rtt': node.zeroRttHandshake,
  };
}
