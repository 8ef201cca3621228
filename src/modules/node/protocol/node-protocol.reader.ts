import { ConfigFields, parseJsonObject } from './config-fields.js';
import { isValidAddress, parseServer } from './node-address.js';
import {
  NETWORKS,
  type Network,
  type NodeBase,
  type NodeProtocol,
  type NodeReading,
  type NodeRoute,
  ROUTE_ACTIONS,
  type RouteAction,
  NodeSort,
  type NodeSource,
  type RealitySecurity,
  type Security,
  SS2022_METHODS,
  type Ss2022Method,
  ss2022KeyLength,
  type TlsSecurity,
  type Transport,
} from './node-protocol.js';

/** Spellings seen in adopted databases and agents' configs → the model's network names. */
const NETWORK_ALIASES: Record<string, Network> = {
  tcp: 'tcp',
  raw: 'tcp',
  ws: 'ws',
  websocket: 'ws',
  grpc: 'grpc',
  gun: 'grpc',
  httpupgrade: 'httpupgrade',
  h2: 'h2',
  http: 'h2',
};

const DEFAULT_PORT = 443;

/**
 * Reads one `ss_node` row into the node protocol model, as adopted databases hold it:
 * SSPanel-UIM's `sort` + `server` + `custom_config` (0 Shadowsocks with the user's own
 * port/method/password, 1 Shadowsocks 2022, 2 TUIC v5, 11 VMess — VLESS with `enable_vless` —,
 * 13 VLESS, 14 Trojan, 15 Hysteria2 — Hysteria v1 with `version: 1` —), Panel's 16 AnyTLS, and
 * the seed origin's query string in `server`.
 * `custom_config` wins over settings carried in `server`. Every problem is reported at once.
 */
export function readNodeProtocol(source: NodeSource): NodeReading {
  const stored = storedConfig(source.customConfig);
  if (stored === null) {
    return {
      ok: false,
      problems: { custom_config: 'custom_config must be a JSON object' },
    };
  }
  const server = parseServer(source.server ?? '');
  const f = new ConfigFields({ ...server.settings, ...stored });
  if (!isValidAddress(server.address)) {
    f.problems.server =
      'server must be a host name or an IP address (or the seed query form with add=)';
  }
  const node = readBySort(source, server.address, f);
  if (Object.keys(f.problems).length > 0 || !node) {
    if (!node && Object.keys(f.problems).length === 0)
      f.problems.sort = `sort ${source.sort} is not a supported protocol`;
    return { ok: false, problems: f.problems };
  }
  return { ok: true, node };
}

function storedConfig(
  value: NodeSource['customConfig'],
): Record<string, unknown> | null {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') {
    if (value.trim() === '' || value.trim() === '[]') return {};
    return parseJsonObject(value);
  }
  return typeof value === 'object' && !Array.isArray(value) ? value : null;
}

function readBySort(
  source: NodeSource,
  address: string,
  f: ConfigFields,
): NodeProtocol | null {
  const routes = readRoutes(f);
  const base = (portPerUser = false): NodeBase => {
    const port = portPerUser
      ? 0
      : (f.port('offset_port_user') ??
        f.port('offset_port_node') ??
        DEFAULT_PORT);
    return {
      id: source.id,
      name: source.name,
      sort: source.sort,
      address,
      port,
      listenPort: portPerUser ? 0 : (f.port('offset_port_node') ?? port),
      trafficRate: Number(source.trafficRate),
      nodeClass: Number(source.nodeClass),
      nodeGroup: Number(source.nodeGroup),
      speedLimitMbps: Number(source.nodeSpeedlimit) || 0,
      ...(routes.length > 0 ? { routes } : {}),
    };
  };
  switch (Number(source.sort)) {
    case NodeSort.shadowsocks:
      return readShadowsocks(f, base);
    case NodeSort.shadowsocks2022:
      return readShadowsocks2022(f, base());
    case NodeSort.tuic:
      return {
        ...base(),
        protocol: 'tuic',
        tls: readTls(f, address, ['h3']),
        congestionControl: oneOf(
          f,
          'congestion_control',
          ['bbr', 'cubic', 'new_reno'] as const,
          'bbr',
        ),
        udpRelayMode: oneOf(
          f,
          'udp_relay_mode',
          ['native', 'quic'] as const,
          'native',
        ),
        zeroRttHandshake: f.bool(false, 'zero_rtt_handshake'),
      };
    case NodeSort.vmess:
      return f.bool(false, 'enable_vless')
        ? readVless(f, base())
        : readVmess(f, base());
    case NodeSort.vless:
      return readVless(f, base());
    case NodeSort.trojan:
      return readTrojan(f, base());
    case NodeSort.hysteria2:
      return readHysteriaVersion(f) === 1
        ? readHysteria(f, base(), address)
        : readHysteria2(f, base(), address);
    case NodeSort.anytls:
      return readAnyTls(f, base(), address);
    default:
      return null;
  }
}

/**
 * `custom_config.routes`: `[{id?, match, action, action_value?}]`, V2Board's `server_route`
 * rows. `match` is a list of strings or one comma-separated string; an id defaults to the rule's
 * position. Every malformed rule is a problem, since an agent crashes on it (V2bX asserts each
 * match is a string and indexes the first one of a `dns` rule).
 */
function readRoutes(f: ConfigFields): NodeRoute[] {
  const raw = f.raw('routes');
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) {
    f.problem(
      'routes',
      'routes must be a list of {match, action, action_value}',
    );
    return [];
  }
  const routes: NodeRoute[] = [];
  raw.forEach((item: unknown, i) => {
    const key = `routes[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      f.problem(key, `${key} must be an object {match, action, action_value}`);
      return;
    }
    const r = new ConfigFields(
      item as Record<string, unknown>,
      `custom_config.${key}.`,
      f.problems,
    );
    const match = r.list('match') ?? [];
    if (match.length === 0 || match.some((m) => m.trim() === ''))
      r.problem('match', 'match must be a non-empty list of non-empty strings');
    const action = r.str('action');
    if (!action || !(ROUTE_ACTIONS as readonly string[]).includes(action))
      r.problem('action', `action must be one of ${ROUTE_ACTIONS.join(', ')}`);
    const actionValue = r.str('action_value');
    if (action === 'dns' && !actionValue)
      r.problem(
        'action_value',
        'a dns rule needs action_value (the DNS server)',
      );
    const id = r.raw('id') ?? i + 1;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1)
      r.problem('id', 'id must be a positive integer');
    routes.push({
      id: Number(id),
      match: match.map((m) => m.trim()),
      action: action as RouteAction,
      ...(actionValue && action === 'dns' ? { actionValue } : {}),
    });
  });
  return routes;
}

function readShadowsocks(
  f: ConfigFields,
  base: (portPerUser?: boolean) => NodeBase,
): NodeProtocol {
  const singlePort = f.has('offset_port_user') || f.has('offset_port_node');
  const plugin = f.str('plugin');
  const options = pluginOptions(f);
  return {
    ...base(!singlePort),
    protocol: 'shadowsocks',
    portPerUser: !singlePort,
    ...(plugin ? { plugin: { name: plugin, options } } : {}),
  };
}

/** `plugin_option` as SIP003 `k=v;k=v` text (an object is accepted and joined). */
function pluginOptions(f: ConfigFields): string {
  const raw = f.raw('plugin_option') ?? f.raw('plugin_opts');
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    return Object.entries(raw as Record<string, unknown>)
      .map(([k, v]) => (v === true ? k : `${k}=${String(v)}`))
      .join(';');
  }
  return f.str('plugin_option', 'plugin_opts') ?? '';
}

function readShadowsocks2022(f: ConfigFields, base: NodeBase): NodeProtocol {
  const method = oneOf(
    f,
    'method',
    SS2022_METHODS,
    '2022-blake3-aes-128-gcm',
    'mu_encryption',
  );
  const serverKey = f.str('server_key') ?? null;
  if (serverKey !== null && !isBase64Key(serverKey, method)) {
    f.problem(
      'server_key',
      `server_key must be the base64 of ${ss2022KeyLength(method)} bytes for ${method}`,
    );
  }
  return { ...base, protocol: 'shadowsocks2022', method, serverKey };
}

function isBase64Key(key: string, method: Ss2022Method): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return false;
  return Buffer.from(key, 'base64').length === ss2022KeyLength(method);
}

function readVmess(f: ConfigFields, base: NodeBase): NodeProtocol {
  const security = readSecurity(f, base.address, 'none');
  if (security.type === 'reality') {
    f.problem('security', 'VMess cannot use Reality (use VLESS)');
  }
  return {
    ...base,
    protocol: 'vmess',
    transport: readTransport(f),
    security: security.type === 'reality' ? { type: 'none' } : security,
  };
}

function readVless(f: ConfigFields, base: NodeBase): NodeProtocol {
  const transport = readTransport(f);
  const flow = f.str('flow');
  if (flow && !flow.startsWith('xtls-rprx-vision')) {
    f.problem('flow', 'flow must be xtls-rprx-vision or empty');
  }
  if (flow && transport.network !== 'tcp') {
    f.problem('flow', 'xtls-rprx-vision needs network tcp');
  }
  return {
    ...base,
    protocol: 'vless',
    transport,
    security: readSecurity(f, base.address, 'none'),
    ...(flow ? { flow: 'xtls-rprx-vision' as const } : {}),
  };
}

function readTrojan(f: ConfigFields, base: NodeBase): NodeProtocol {
  const transport = readTransport(f, f.bool(false, 'grpc') ? 'grpc' : 'tcp');
  const security = readSecurity(f, base.address, 'tls');
  return {
    ...base,
    protocol: 'trojan',
    transport,
    security: security.type === 'none' ? readTls(f, base.address) : security,
  };
}

function readHysteria2(
  f: ConfigFields,
  base: NodeBase,
  address: string,
): NodeProtocol {
  const h = f.obj('hysteria2') ?? new ConfigFields({}, '', f.problems);
  const password =
    f.str('obfs_password', 'obfs-password') ??
    h.str('obfs_password', 'obfs-password') ??
    salamanderFromFinalmask(h);
  const obfsType = f.str('obfs') ?? h.str('obfs');
  if (obfsType && obfsType !== 'salamander') {
    f.problem('obfs', 'obfs must be salamander or empty');
  }
  if (obfsType === 'salamander' && !password) {
    f.problem('obfs_password', 'salamander obfs needs obfs_password');
  }
  const ports =
    f.str('ports', 'mport', 'port_hopping') ??
    h.obj('portHopping')?.str('ports');
  if (ports && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(ports)) {
    f.problem('ports', 'ports must look like 20000-30000 or 443,8443');
  }
  return {
    ...base,
    protocol: 'hysteria2',
    tls: readTls(f, address, ['h3']),
    ...(password ? { obfs: { type: 'salamander' as const, password } } : {}),
    upMbps: f.number('up_mbps') ?? h.number('up_mbps') ?? 0,
    downMbps: f.number('down_mbps') ?? h.number('down_mbps') ?? 0,
    ...(ports ? { ports } : {}),
  };
}

/** `custom_config.version` of a sort-15 node: 2 (the default) or 1, as V2Board marks Hysteria. */
function readHysteriaVersion(f: ConfigFields): 1 | 2 {
  if (!f.has('version')) return 2;
  const version = Number(f.raw('version'));
  if (version === 1 || version === 2) return version;
  f.problem('version', 'version must be 1 (Hysteria) or 2 (Hysteria 2)');
  return 2;
}

/**
 * Hysteria v1: `up_mbps`/`down_mbps` required (Brutal on both ends), XPlus obfuscation from
 * `obfs_password` (`obfs`, when given, must say `xplus`), ALPN `hysteria` unless set.
 */
function readHysteria(
  f: ConfigFields,
  base: NodeBase,
  address: string,
): NodeProtocol {
  const obfsType = f.str('obfs');
  if (obfsType && obfsType !== 'xplus') {
    f.problem(
      'obfs',
      'Hysteria v1 obfs must be xplus or empty (salamander is Hysteria 2)',
    );
  }
  const obfsPassword = f.str('obfs_password', 'obfs-password');
  if (obfsType === 'xplus' && !obfsPassword) {
    f.problem('obfs_password', 'xplus obfs needs obfs_password');
  }
  if (f.has('ports') || f.has('mport') || f.has('port_hopping')) {
    f.problem('ports', 'port hopping is served for Hysteria 2 only');
  }
  const upMbps = f.number('up_mbps');
  const downMbps = f.number('down_mbps');
  for (const [key, value] of [
    ['up_mbps', upMbps],
    ['down_mbps', downMbps],
  ] as const) {
    if (!value || !Number.isInteger(value))
      f.problem(
        key,
        `Hysteria v1 needs ${key} as a whole number of Mbps above 0`,
      );
  }
  return {
    ...base,
    protocol: 'hysteria',
    tls: readTls(f, address, ['hysteria']),
    ...(obfsPassword ? { obfsPassword } : {}),
    upMbps: upMbps ?? 0,
    downMbps: downMbps ?? 0,
  };
}

/** AnyTLS: TLS settings and `padding_scheme` (a list of lines, or one text with newlines). */
function readAnyTls(
  f: ConfigFields,
  base: NodeBase,
  address: string,
): NodeProtocol {
  const raw = f.raw('padding_scheme');
  let paddingScheme: string[] | undefined;
  if (typeof raw === 'string' && raw.trim() !== '') {
    paddingScheme = raw
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
  } else if (raw !== undefined && raw !== null && raw !== '') {
    if (
      Array.isArray(raw) &&
      raw.every((line) => typeof line === 'string' && line.trim() !== '')
    )
      paddingScheme = (raw as string[]).map((line) => line.trim());
    else
      f.problem(
        'padding_scheme',
        'padding_scheme must be a list of non-empty strings',
      );
  }
  if (paddingScheme?.some((line) => !/^\w+=[\dc,-]+$/.test(line)))
    f.problem(
      'padding_scheme',
      'padding_scheme lines look like stop=8 or 2=400-500,c,500-1000 (key=ranges)',
    );
  return {
    ...base,
    protocol: 'anytls',
    tls: readTls(f, address),
    ...(paddingScheme?.length ? { paddingScheme } : {}),
  };
}

/** SSPanel-UIM's `hysteria2.finalmask.udp[{type: salamander, settings: {password}}]`. */
function salamanderFromFinalmask(h: ConfigFields): string | undefined {
  const udp = h.obj('finalmask')?.raw('udp');
  if (!Array.isArray(udp)) return undefined;
  for (const mask of udp as unknown[]) {
    const m = mask as { type?: unknown; settings?: { password?: unknown } };
    if (m?.type === 'salamander' && typeof m.settings?.password === 'string')
      return m.settings.password;
  }
  return undefined;
}

function readTransport(f: ConfigFields, fallback: Network = 'tcp'): Transport {
  const header = f.obj('header');
  const request = header?.obj('request');
  const headerHost = request?.obj('headers')?.list('Host', 'host')?.[0];
  const headerPath = request?.list('path')?.[0];
  const spelled = (f.str('network', 'net') ?? fallback).toLowerCase();
  const network = NETWORK_ALIASES[spelled];
  if (!network) {
    f.problem('network', `network must be one of ${NETWORKS.join(', ')}`);
    return { network: 'tcp' };
  }
  const transport: Transport = { network };
  const host = headerHost ?? f.str('ws_host', 'host');
  if (network === 'ws' || network === 'httpupgrade' || network === 'h2') {
    transport.path = normalisePath(
      headerPath ?? f.str('path') ?? f.obj('ws-opts', 'ws_opts')?.str('path'),
    );
    if (host) transport.host = host;
  }
  if (network === 'grpc') {
    transport.serviceName =
      f.str('servicename', 'serviceName', 'service_name') ??
      f.obj('grpc-opts', 'grpc_opts')?.str('grpc-service-name') ??
      '';
  }
  if (network === 'tcp') {
    const type = header?.str('type') ?? f.str('header_type');
    if (type && type !== 'none' && type !== 'http') {
      f.problem('header', 'header.type must be none or http');
    }
    transport.headerType = type === 'http' ? 'http' : 'none';
    if (type === 'http') {
      transport.path = normalisePath(headerPath ?? f.str('path'));
      if (host) transport.host = host;
    }
  }
  return transport;
}

function normalisePath(path: string | undefined): string {
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}

function readSecurity(
  f: ConfigFields,
  address: string,
  fallback: 'none' | 'tls',
): Security {
  const spelled = (f.str('security', 'tls') ?? fallback).toLowerCase();
  const reality = f.bool(false, 'enable_reality') || spelled === 'reality';
  if (reality) return readReality(f);
  if (['tls', 'xtls', '1'].includes(spelled)) return readTls(f, address);
  if (['none', '', '0'].includes(spelled)) return { type: 'none' };
  f.problem('security', 'security must be none, tls or reality');
  return { type: 'none' };
}

function readTls(
  f: ConfigFields,
  address: string,
  defaultAlpn?: string[],
): TlsSecurity {
  const tls: TlsSecurity = {
    type: 'tls',
    serverName: f.str('sni', 'server_name', 'servername', 'host') ?? address,
    allowInsecure: f.bool(false, 'allow_insecure', 'allowInsecure', 'insecure'),
  };
  const fingerprint = f.str('fingerprint', 'client_fingerprint', 'fp');
  if (fingerprint) tls.fingerprint = fingerprint;
  const alpn = f.list('alpn') ?? defaultAlpn;
  if (alpn?.length) tls.alpn = alpn;
  return tls;
}

function readReality(f: ConfigFields): RealitySecurity {
  const ro = f.obj('reality-opts', 'reality_opts', 'reality_settings');
  const publicKey =
    ro?.str('public-key', 'public_key', 'publicKey') ??
    f.str('pbk', 'public_key');
  const shortId =
    ro?.str('short-id', 'short_id', 'shortId') ??
    ro?.list('short_ids', 'shortIds')?.[0] ??
    f.str('sid') ??
    '';
  const serverName =
    ro?.list('server_names', 'serverNames')?.[0] ??
    ro?.str('server_name', 'sni') ??
    f.str('sni', 'server_name', 'host');
  if (!publicKey || !/^[A-Za-z0-9_-]{43}$/.test(publicKey)) {
    f.problem(
      'reality-opts',
      'Reality needs reality-opts.public-key (43 URL-safe base64 characters)',
    );
  }
  if (!serverName) {
    f.problem('reality-opts', 'Reality needs a server name (sni)');
  }
  if (!/^[0-9a-f]{0,16}$/i.test(shortId)) {
    f.problem('reality-opts', 'Reality short-id must be 0-16 hex digits');
  }
  const reality: RealitySecurity = {
    type: 'reality',
    serverName: serverName ?? '',
    publicKey: publicKey ?? '',
    shortId,
    fingerprint: f.str('fingerprint', 'client_fingerprint', 'fp') ?? 'chrome',
  };
  const privateKey = ro?.str('private_key', 'private-key', 'privateKey');
  const dest = ro?.str('dest', 'target');
  if (privateKey) reality.privateKey = privateKey;
  if (dest) reality.dest = dest;
  return reality;
}

function oneOf<T extends string>(
  f: ConfigFields,
  key: string,
  allowed: readonly T[],
  fallback: T,
  ...alternatives: string[]
): T {
  const value = f.str(key, ...alternatives);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  f.problem(key, `${key} must be one of ${allowed.join(', ')}`);
  return fallback;
}
