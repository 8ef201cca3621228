/**
 * The node protocol model: what one node serves, typed and validated, read from `ss_node` once
 * and used by every consumer (the `/mod_mu` node info, the UniProxy config, every subscription
 * format), so a client's link always matches what the node's agent listens for.
 *
 * Agent-only secrets (the Reality private key, its `dest`) live here too, marked as such:
 * subscription formats must only read the public fields.
 */

/**
 * `ss_node.sort` values, as SSPanel-UIM and the seed origin number them (0–15). Hysteria v1 is
 * sort 15 with `custom_config.version: 1`, as V2Board keeps both versions in one `hysteria`
 * type told apart by `version`. AnyTLS has no SSPanel number (no SSPanel fork serves it):
 * 16 is Panel's own, for nodes created through the admin routes.
 */
export const NodeSort = {
  shadowsocks: 0,
  shadowsocks2022: 1,
  tuic: 2,
  vmess: 11,
  vless: 13,
  trojan: 14,
  hysteria2: 15,
  anytls: 16,
} as const;

export type ProtocolName =
  | 'shadowsocks'
  | 'shadowsocks2022'
  | 'vmess'
  | 'vless'
  | 'trojan'
  | 'hysteria2'
  | 'hysteria'
  | 'tuic'
  | 'anytls';

export const PROTOCOL_NAMES: readonly ProtocolName[] = [
  'shadowsocks',
  'shadowsocks2022',
  'vmess',
  'vless',
  'trojan',
  'hysteria2',
  'hysteria',
  'tuic',
  'anytls',
];

export type Network = 'tcp' | 'ws' | 'grpc' | 'httpupgrade' | 'h2';
export const NETWORKS: readonly Network[] = [
  'tcp',
  'ws',
  'grpc',
  'httpupgrade',
  'h2',
];

/** The stream transport of a V2Ray-family node (vmess, vless, trojan). */
export interface Transport {
  network: Network;
  /** ws, httpupgrade and h2: the request path (always starts with `/`). */
  path?: string;
  /** ws and httpupgrade: the Host header; h2: the host. */
  host?: string;
  /** grpc only. */
  serviceName?: string;
  /** tcp only: `http` = HTTP header obfuscation. */
  headerType?: 'none' | 'http';
}

export interface TlsSecurity {
  type: 'tls';
  /** SNI; clients fall back to the address when absent. */
  serverName?: string;
  allowInsecure: boolean;
  /** uTLS fingerprint (`chrome`, `firefox`, …). */
  fingerprint?: string;
  alpn?: string[];
}

export interface RealitySecurity {
  type: 'reality';
  serverName: string;
  publicKey: string;
  shortId: string;
  fingerprint: string;
  /** Agent only: never sent to clients. */
  privateKey?: string;
  /** Agent only: the fallback target (`host:port`). */
  dest?: string;
}

export type Security = { type: 'none' } | TlsSecurity | RealitySecurity;

export type Ss2022Method =
  | '2022-blake3-aes-128-gcm'
  | '2022-blake3-aes-256-gcm'
  | '2022-blake3-chacha20-poly1305';

export const SS2022_METHODS: readonly Ss2022Method[] = [
  '2022-blake3-aes-128-gcm',
  '2022-blake3-aes-256-gcm',
  '2022-blake3-chacha20-poly1305',
];

/** Key length in bytes of a Shadowsocks 2022 method (16 for aes-128, else 32). */
export function ss2022KeyLength(method: Ss2022Method): 16 | 32 {
  return method === '2022-blake3-aes-128-gcm' ? 16 : 32;
}

/**
 * What a routing rule does, as UniProxy agents (V2bX, XrayR V2board mode) apply V2Board's
 * `server_route`: `block` refuses matching domains (`regexp:…`) or protocols (`protocol:…`),
 * `dns` resolves matching domains through the server in `actionValue`.
 */
export type RouteAction = 'block' | 'dns';
export const ROUTE_ACTIONS: readonly RouteAction[] = ['block', 'dns'];

/** One routing rule of a node (`custom_config.routes[]`); agent-side, clients never see it. */
export interface NodeRoute {
  id: number;
  /** Never empty; every entry a non-empty string (V2bX panics on anything else). */
  match: string[];
  action: RouteAction;
  /** `dns`: the DNS server address (required); absent for `block`. */
  actionValue?: string;
}

export interface NodeBase {
  id: number;
  name: string;
  sort: number;
  /** Where clients connect: a host name or an IP (IPv6 without brackets). */
  address: string;
  /**
   * The port clients connect to. 0 only for per-user-port Shadowsocks, where each user's own
   * `user.port` is the port (see `clientCredentials`).
   */
  port: number;
  /** The port the agent listens on (`offset_port_node`; differs from `port` behind NAT). */
  listenPort: number;
  trafficRate: number;
  nodeClass: number;
  nodeGroup: number;
  /** Mbps, 0 = unlimited. */
  speedLimitMbps: number;
  /** Agent routing rules, present only when the node has some (UniProxy `routes`). */
  routes?: NodeRoute[];
}

export interface ShadowsocksNode extends NodeBase {
  protocol: 'shadowsocks';
  /** true: each user listens on their own `user.port` with their own method (legacy SS). */
  portPerUser: boolean;
  /** SIP003 plugin the client must run (`obfs-local`, `v2ray-plugin`). */
  plugin?: { name: string; options: string };
}

export interface Shadowsocks2022Node extends NodeBase {
  protocol: 'shadowsocks2022';
  method: Ss2022Method;
  /** base64 server PSK of the method's key length; null = single-user key only. */
  serverKey: string | null;
}

export interface VmessNode extends NodeBase {
  protocol: 'vmess';
  transport: Transport;
  security: { type: 'none' } | TlsSecurity;
}

export interface VlessNode extends NodeBase {
  protocol: 'vless';
  transport: Transport;
  security: Security;
  /** `xtls-rprx-vision` (tcp only) or absent. */
  flow?: 'xtls-rprx-vision';
}

export interface TrojanNode extends NodeBase {
  protocol: 'trojan';
  transport: Transport;
  security: TlsSecurity | RealitySecurity;
}

export interface Hysteria2Node extends NodeBase {
  protocol: 'hysteria2';
  tls: TlsSecurity;
  obfs?: { type: 'salamander'; password: string };
  /** Brutal bandwidth hints; 0 = let the client/BBR decide. */
  upMbps: number;
  downMbps: number;
  /** Port hopping range(s), e.g. `20000-30000` or `443,8443`. */
  ports?: string;
}

/**
 * Hysteria v1 (sort 15, `version: 1`). Unlike v2 the bandwidth is mandatory (both ends run
 * Brutal from it: sing-box and mihomo refuse a v1 peer without it), the only obfuscation is
 * XPlus with a password, and the ALPN defaults to `hysteria` (sing-box's and mihomo's default).
 */
export interface HysteriaNode extends NodeBase {
  protocol: 'hysteria';
  tls: TlsSecurity;
  /** XPlus obfuscation password; absent = none. */
  obfsPassword?: string;
  /** Mbps, > 0. */
  upMbps: number;
  downMbps: number;
}

/** AnyTLS (sort 16): TLS with the uuid as password, and the server's padding scheme. */
export interface AnyTlsNode extends NodeBase {
  protocol: 'anytls';
  tls: TlsSecurity;
  /** Lines of the padding scheme (`stop=8`, `0=30-30`, …); absent = the agent's default. */
  paddingScheme?: string[];
}

export interface TuicNode extends NodeBase {
  protocol: 'tuic';
  tls: TlsSecurity;
  congestionControl: 'bbr' | 'cubic' | 'new_reno';
  udpRelayMode: 'native' | 'quic';
  zeroRttHandshake: boolean;
}

export type NodeProtocol =
  | ShadowsocksNode
  | Shadowsocks2022Node
  | VmessNode
  | VlessNode
  | TrojanNode
  | Hysteria2Node
  | HysteriaNode
  | TuicNode
  | AnyTlsNode;

/** The `ss_node` columns the model is read from. */
export interface NodeSource {
  id: number;
  name: string;
  sort: number;
  server: string;
  method: string;
  /** Stored JSON text, or an object an admin route is about to store. */
  customConfig: string | Record<string, unknown> | null;
  trafficRate: number;
  nodeClass: number;
  nodeGroup: number;
  nodeSpeedlimit: number;
}

/** field → problem; `custom_config.<key>` or `server` or `sort`. */
export type NodeProblems = Record<string, string>;

export type NodeReading =
  { ok: true; node: NodeProtocol } | { ok: false; problems: NodeProblems };
