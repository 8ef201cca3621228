import type {
  AnyTlsNode,
  Hysteria2Node,
  HysteriaNode,
  NodeProtocol,
  NodeRoute,
  RealitySecurity,
  Security,
  Shadowsocks2022Node,
  TlsSecurity,
  Transport,
  TrojanNode,
  TuicNode,
  VlessNode,
  VmessNode,
} from '../../node/protocol/index.js';

/** `base_config`, in seconds; V2bX dereferences it unconditionally (nil-pointer panic). */
export interface UniProxyIntervals {
  pushIntervalS: number;
  pullIntervalS: number;
}

/** A JSON object as UniProxy agents decode it (see the field notes in each builder). */
export type UniProxyConfig = Record<string, unknown>;

/** Why a node's config cannot be expressed for UniProxy agents. */
class Refused {
  constructor(readonly reason: string) {}
}

export type UniProxyConfigResult =
  { ok: true; config: UniProxyConfig } | { ok: false; reason: string };

/**
 * `GET /api/v1/server/UniProxy/config` for one node, from the node protocol model. The types are
 * what the agents' decoders need, not what V2Board's PHP happens to emit:
 * - wyx2685/V2bX api/panel/node.go decodes strictly (encoding/json; an error aborts the update):
 *   `server_port`, `tls`, `up_mbps`/`down_mbps` ints, `tls_settings.server_port` a string,
 *   `tls_settings.xver` a quoted number (so never sent), `zero_rtt_handshake` a bool, routes'
 *   `match` strings, and `base_config` mandatory with its two intervals.
 * - XrayR-project/XrayR api/newV2board/model.go decodes leniently but reads `networkSettings`
 *   (camel) for VMess and `network_settings` (snake) for VLESS, the WebSocket Host from
 *   `networkSettings.headers.Host`, and Reality's dest as `tls_settings.dest + ":" + server_port`.
 * So every V2Ray-family config carries both network-settings spellings, the same object.
 * Absent optional strings are omitted rather than null.
 */
export function buildUniProxyConfig(
  node: NodeProtocol,
  intervals: UniProxyIntervals,
): UniProxyConfigResult {
  const body = bodyOf(node);
  if (body instanceof Refused) return { ok: false, reason: body.reason };
  const config: UniProxyConfig = {
    ...body,
    base_config: {
      push_interval: intervals.pushIntervalS,
      pull_interval: intervals.pullIntervalS,
    },
  };
  if (node.routes?.length) config.routes = node.routes.map(routeOf);
  return { ok: true, config };
}

function bodyOf(node: NodeProtocol): UniProxyConfig | Refused {
  switch (node.protocol) {
    case 'vmess':
      return vmess(node);
    case 'vless':
      return vless(node);
    case 'trojan':
      return trojan(node);
    case 'shadowsocks2022':
      return shadowsocks2022(node);
    case 'hysteria2':
      return hysteria2(node);
    case 'hysteria':
      return hysteria(node);
    case 'tuic':
      return tuic(node);
    case 'anytls':
      return anytls(node);
    case 'shadowsocks':
      // UniProxy agents run one cipher per node with the uuid as every user's password; a
      // plain SSPanel Shadowsocks node gives each user their own passwd and method.
      return new Refused(
        `Node ${node.id} is plain Shadowsocks (per-user password and method), which UniProxy agents cannot serve; use Shadowsocks 2022 (sort 1)`,
      );
  }
}

function vmess(node: VmessNode): UniProxyConfig {
  return {
    server_port: node.listenPort,
    ...network(node.transport),
    tls: node.security.type === 'tls' ? 1 : 0,
    ...(node.security.type === 'tls'
      ? { tls_settings: tlsSettings(node.security) }
      : {}),
  };
}

function vless(node: VlessNode): UniProxyConfig | Refused {
  const security = securityOf(node.id, node.security);
  if (security instanceof Refused) return security;
  return {
    server_port: node.listenPort,
    ...network(node.transport),
    ...security,
    flow: node.flow ?? '',
  };
}

function trojan(node: TrojanNode): UniProxyConfig | Refused {
  if (node.security.type === 'reality')
    return new Refused(
      `Node ${node.id} is Trojan over Reality, which UniProxy agents do not serve (V2bX runs Trojan with TLS only); use VLESS Reality`,
    );
  return {
    server_port: node.listenPort,
    host: node.address,
    server_name: node.security.serverName ?? node.address,
    ...network(node.transport),
    tls: 1,
    tls_settings: tlsSettings(node.security),
  };
}

function shadowsocks2022(node: Shadowsocks2022Node): UniProxyConfig {
  return {
    server_port: node.listenPort,
    cipher: node.method,
    // V2bX and XrayR pass it on as the SS-2022 server PSK; users' keys come from their uuid.
    ...(node.serverKey ? { server_key: node.serverKey } : {}),
  };
}

/** Where a TLS-only protocol (Hysteria 1/2, TUIC, AnyTLS) listens and the name it presents. */
function tlsEndpoint(node: {
  listenPort: number;
  address: string;
  tls: { serverName?: string | null };
}): UniProxyConfig {
  return {
    server_port: node.listenPort,
    host: node.address,
    server_name: node.tls.serverName ?? node.address,
  };
}

function hysteria2(node: Hysteria2Node): UniProxyConfig {
  const upMbps = Math.round(node.upMbps);
  const downMbps = Math.round(node.downMbps);
  return {
    ...tlsEndpoint(node),
    version: 2,
    up_mbps: upMbps,
    down_mbps: downMbps,
    // wyx2685/v2board: no bandwidth hints → the server ignores the client's (BBR).
    ignore_client_bandwidth: upMbps === 0 && downMbps === 0,
    ...(node.obfs
      ? { obfs: node.obfs.type, 'obfs-password': node.obfs.password }
      : {}),
  };
}

/**
 * Hysteria v1 as V2bX's `HysteriaNode` decodes it (node_type `hysteria`): bandwidth ints and
 * `obfs` = the XPlus password (a string, omitted when none: V2bX reads "" as no obfuscation).
 * `version: 1` is Xboard's marker, for agents that read it.
 */
function hysteria(node: HysteriaNode): UniProxyConfig {
  return {
    ...tlsEndpoint(node),
    version: 1,
    up_mbps: Math.round(node.upMbps),
    down_mbps: Math.round(node.downMbps),
    ...(node.obfsPassword ? { obfs: node.obfsPassword } : {}),
  };
}

/**
 * AnyTLS as V2bX's `AnyTlsNode` decodes it: the common fields and `padding_scheme` as a list of
 * strings (`omitempty` there; omitted here when unset, so the agent keeps its default).
 */
function anytls(node: AnyTlsNode): UniProxyConfig {
  return {
    ...tlsEndpoint(node),
    ...(node.paddingScheme ? { padding_scheme: node.paddingScheme } : {}),
  };
}

function tuic(node: TuicNode): UniProxyConfig {
  return {
    ...tlsEndpoint(node),
    version: 5,
    congestion_control: node.congestionControl,
    udp_relay_mode: node.udpRelayMode,
    zero_rtt_handshake: node.zeroRttHandshake,
    // Xboard's defaults (app/Services/ServerService.php buildNodeConfig).
    auth_timeout: '3s',
    heartbeat: '3s',
  };
}

/** `tls`/`tls_settings` of a VLESS node: 0 none, 1 TLS, 2 Reality. */
function securityOf(
  nodeId: number,
  security: Security,
): UniProxyConfig | Refused {
  if (security.type === 'none') return { tls: 0 };
  if (security.type === 'tls')
    return { tls: 1, tls_settings: tlsSettings(security) };
  return realitySettings(nodeId, security);
}

function tlsSettings(tls: TlsSecurity): UniProxyConfig {
  return {
    ...(tls.serverName ? { server_name: tls.serverName } : {}),
    allow_insecure: tls.allowInsecure,
  };
}

/**
 * Reality for the agent: the private key is required (agent-only field of the model), and the
 * fallback target is split into `dest` (host) and `server_port` (a string): both agents join
 * them with a colon. Without a `dest`, the agents use the server name.
 */
function realitySettings(
  nodeId: number,
  reality: RealitySecurity,
): UniProxyConfig | Refused {
  if (!reality.privateKey)
    return new Refused(
      `Node ${nodeId} uses Reality without a private key (custom_config reality-opts.private_key): the agent cannot listen`,
    );
  const target = splitHostPort(reality.dest ?? reality.serverName);
  return {
    tls: 2,
    tls_settings: {
      server_name: reality.serverName,
      dest: target.host,
      server_port: target.port,
      private_key: reality.privateKey,
      short_id: reality.shortId,
    },
  };
}

/** `host:port`, `[v6]:port`, or a bare host (port 443). */
function splitHostPort(target: string): { host: string; port: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ?? '443' };
  const plain = /^([^:]+):(\d+)$/.exec(target);
  if (plain) return { host: plain[1], port: plain[2] };
  return { host: target, port: '443' };
}

/** `network` and the settings object under both spellings (XrayR reads one, V2bX either). */
function network(transport: Transport): UniProxyConfig {
  const settings = networkSettings(transport);
  return {
    network: transport.network,
    networkSettings: settings,
    network_settings: settings,
  };
}

function networkSettings(t: Transport): UniProxyConfig {
  switch (t.network) {
    case 'ws':
      return {
        path: t.path ?? '/',
        ...(t.host ? { headers: { Host: t.host } } : {}),
      };
    case 'httpupgrade':
      return { path: t.path ?? '/', ...(t.host ? { host: t.host } : {}) };
    case 'h2':
      return { path: t.path ?? '/', ...(t.host ? { host: [t.host] } : {}) };
    case 'grpc':
      return { serviceName: t.serviceName ?? '' };
    case 'tcp':
      return t.headerType === 'http'
        ? {
            header: {
              type: 'http',
              request: {
                path: [t.path ?? '/'],
                ...(t.host ? { headers: { Host: [t.host] } } : {}),
              },
            },
          }
        : {};
  }
}

function routeOf(route: NodeRoute): UniProxyConfig {
  return {
    id: route.id,
    match: route.match,
    action: route.action,
    // V2bX and XrayR decode it as a string: "" for block rules, never null.
    action_value: route.actionValue ?? '',
  };
}
