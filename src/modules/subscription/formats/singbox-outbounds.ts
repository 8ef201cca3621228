import type {
  AnyTlsNode,
  Hysteria2Node,
  HysteriaNode,
  Security,
  ShadowsocksNode,
  TlsSecurity,
  Transport,
  TuicNode,
} from '../../node/protocol/index.js';
import { isObfsPlugin } from './format-helpers.js';
import type { ProfileEntry } from './profile.js';
import { SINGBOX_CIPHERS, usableMethod } from './shadowsocks-ciphers.js';

/** One sing-box outbound, keyed as SagerNet/sing-box `option/*.go` json tags say. */
export type SingboxOutbound = Record<string, unknown>;

/** The outbound for one entry, or null when sing-box cannot carry it. */
export function singboxOutbound(
  entry: ProfileEntry,
  tag: string,
): SingboxOutbound | null {
  const { node, credentials } = entry;
  const server = { tag, server: node.address, server_port: credentials.port };
  switch (node.protocol) {
    case 'shadowsocks':
      return shadowsocks(entry, node, server);
    case 'shadowsocks2022': {
      const method = usableMethod(entry, SINGBOX_CIPHERS);
      if (!method) return null;
      return {
        type: 'shadowsocks',
        ...server,
        method,
        password: credentials.password,
      };
    }
    case 'vmess':
    case 'vless':
    case 'trojan': {
      const transport = singboxTransport(node.transport);
      if (transport === null) return null;
      return {
        type: node.protocol,
        ...server,
        ...v2rayCredentials(entry),
        ...(node.protocol === 'vless' && node.flow ? { flow: node.flow } : {}),
        ...singboxTls(node.security, node.address),
        ...(transport ? { transport } : {}),
      };
    }
    case 'hysteria2':
      return hysteria2(entry, node, server);
    case 'hysteria':
      return hysteria(entry, node, server);
    case 'tuic':
      return tuic(entry, node, server);
    case 'anytls':
      return anytls(entry, node, server);
    default:
      return null;
  }
}

type Server = { tag: string; server: string; server_port: number };

function v2rayCredentials(entry: ProfileEntry): SingboxOutbound {
  const { credentials, node } = entry;
  if (node.protocol === 'vmess') {
    return { uuid: credentials.uuid, security: 'auto', alter_id: 0 };
  }
  if (node.protocol === 'vless') return { uuid: credentials.uuid };
  return { password: credentials.password };
}

function shadowsocks(
  entry: ProfileEntry,
  node: ShadowsocksNode,
  server: Server,
): SingboxOutbound | null {
  const method = usableMethod(entry, SINGBOX_CIPHERS);
  if (!method) return null;
  const { password } = entry.credentials;
  const outbound: SingboxOutbound = {
    type: 'shadowsocks',
    ...server,
    method,
    password,
  };
  if (!node.plugin) return outbound;
  // sing-box implements exactly these two SIP003 plugins in-process (`plugin` field docs).
  const plugin = isObfsPlugin(node.plugin.name)
    ? 'obfs-local'
    : node.plugin.name === 'v2ray-plugin'
      ? 'v2ray-plugin'
      : null;
  if (!plugin) return null;
  return { ...outbound, plugin, plugin_opts: node.plugin.options };
}

/** The `tls` block; Reality needs uTLS in sing-box ("uTLS is required by reality client"). */
function singboxTls(security: Security, address: string): SingboxOutbound {
  if (security.type === 'none') return {};
  if (security.type === 'reality') {
    return {
      tls: {
        enabled: true,
        server_name: security.serverName,
        utls: { enabled: true, fingerprint: security.fingerprint },
        reality: {
          enabled: true,
          public_key: security.publicKey,
          short_id: security.shortId,
        },
      },
    };
  }
  return { tls: tlsBlock(security, address) };
}

function tlsBlock(tls: TlsSecurity, address: string): SingboxOutbound {
  const block: SingboxOutbound = {
    enabled: true,
    server_name: tls.serverName ?? address,
    insecure: tls.allowInsecure,
  };
  if (tls.alpn?.length) block.alpn = tls.alpn;
  if (tls.fingerprint) {
    block.utls = { enabled: true, fingerprint: tls.fingerprint };
  }
  return block;
}

/**
 * The V2Ray transport, `undefined` for plain TCP, null when sing-box has none that matches:
 * its `http` transport is real HTTP, not Xray's TCP HTTP-header disguise.
 */
function singboxTransport(t: Transport): SingboxOutbound | undefined | null {
  switch (t.network) {
    case 'tcp':
      return t.headerType === 'http' ? null : undefined;
    case 'ws':
      return {
        type: 'ws',
        path: t.path ?? '/',
        ...(t.host ? { headers: { Host: t.host } } : {}),
      };
    case 'httpupgrade':
      return {
        type: 'httpupgrade',
        path: t.path ?? '/',
        ...(t.host ? { host: t.host } : {}),
      };
    case 'grpc':
      return { type: 'grpc', service_name: t.serviceName ?? '' };
    case 'h2':
      return {
        type: 'http',
        path: t.path ?? '/',
        ...(t.host ? { host: [t.host] } : {}),
      };
    default:
      return null;
  }
}

function hysteria2(
  entry: ProfileEntry,
  node: Hysteria2Node,
  server: Server,
): SingboxOutbound {
  const outbound: SingboxOutbound = {
    type: 'hysteria2',
    ...server,
    password: entry.credentials.password,
    tls: tlsBlock(node.tls, node.address),
  };
  if (node.ports) outbound.server_ports = serverPorts(node.ports);
  if (node.obfs) {
    outbound.obfs = { type: node.obfs.type, password: node.obfs.password };
  }
  if (node.upMbps > 0) outbound.up_mbps = node.upMbps;
  if (node.downMbps > 0) outbound.down_mbps = node.downMbps;
  return outbound;
}

/** `20000-30000,443` → sing-box's `["20000:30000", "443:443"]` (ranges use a colon). */
function serverPorts(ports: string): string[] {
  return ports.split(',').map((part) => {
    const [from, to] = part.split('-');
    return `${from}:${to ?? from}`;
  });
}

/** The v1 `hysteria` outbound: bandwidth required, `auth_str` the password, `obfs` XPlus. */
function hysteria(
  entry: ProfileEntry,
  node: HysteriaNode,
  server: Server,
): SingboxOutbound {
  return {
    type: 'hysteria',
    ...server,
    up_mbps: node.upMbps,
    down_mbps: node.downMbps,
    auth_str: entry.credentials.password,
    ...(node.obfsPassword ? { obfs: node.obfsPassword } : {}),
    tls: tlsBlock(
      { ...node.tls, alpn: node.tls.alpn ?? ['hysteria'] },
      node.address,
    ),
  };
}

/** The `anytls` outbound (sing-box 1.12+): password and TLS. */
function anytls(
  entry: ProfileEntry,
  node: AnyTlsNode,
  server: Server,
): SingboxOutbound {
  return {
    type: 'anytls',
    ...server,
    password: entry.credentials.password,
    tls: tlsBlock(node.tls, node.address),
  };
}

function tuic(
  entry: ProfileEntry,
  node: TuicNode,
  server: Server,
): SingboxOutbound {
  return {
    type: 'tuic',
    ...server,
    uuid: entry.credentials.uuid,
    password: entry.credentials.password,
    congestion_control: node.congestionControl,
    udp_relay_mode: node.udpRelayMode,
    zero_rtt_handshake: node.zeroRttHandshake,
    tls: tlsBlock(node.tls, node.address),
  };
}
