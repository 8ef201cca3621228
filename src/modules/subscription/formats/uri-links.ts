import {
  type AnyTlsNode,
  hostForUri,
  type Hysteria2Node,
  type HysteriaNode,
  type RealitySecurity,
  type Security,
  type ShadowsocksNode,
  type TlsSecurity,
  type Transport,
  type TrojanNode,
  type TuicNode,
  type VlessNode,
  type VmessNode,
} from '../../node/protocol/index.js';
import { base64, base64Url, rawUrlEncode } from './format-helpers.js';
import type { ProfileEntry } from './profile.js';
import { usableMethod } from './shadowsocks-ciphers.js';

type Query = [key: string, value: string][];

/** The share URI of one entry (the v2rayN / Shadowrocket family), or null if it has none. */
export function uriLink(entry: ProfileEntry): string | null {
  const { node } = entry;
  switch (node.protocol) {
    case 'shadowsocks':
    case 'shadowsocks2022':
      return shadowsocksLink(
        entry,
        node.protocol === 'shadowsocks' ? node : undefined,
      );
    case 'vmess':
      return vmessLink(entry, node);
    case 'vless':
      return vlessLink(entry, node);
    case 'trojan':
      return trojanLink(entry, node);
    case 'hysteria2':
      return hysteria2Link(entry, node);
    case 'hysteria':
      return hysteriaLink(entry, node);
    case 'tuic':
      return tuicLink(entry, node);
    case 'anytls':
      return anytlsLink(entry, node);
    default:
      return null;
  }
}

/** Every entry's URI, in order, leaving out entries without one. */
export function uriLinks(entries: readonly ProfileEntry[]): string[] {
  return entries.map(uriLink).filter((link): link is string => link !== null);
}

function endpoint(entry: ProfileEntry): string {
  return `${hostForUri(entry.node.address)}:${entry.credentials.port}`;
}

function withQuery(base: string, query: Query, name: string): string {
  const search = new URLSearchParams(query).toString();
  return `${base}${search ? `?${search}` : ''}#${rawUrlEncode(name)}`;
}

/** SIP002; Shadowsocks 2022 uses the same shape with `<server key>:<user key>` as password. */
function shadowsocksLink(
  entry: ProfileEntry,
  legacy?: ShadowsocksNode,
): string | null {
  const method = usableMethod(entry);
  if (!method) return null;
  const { password } = entry.credentials;
  const userinfo = base64Url(`${method}:${password}`);
  const plugin = legacy?.plugin;
  const pluginPart = plugin
    ? `/?plugin=${rawUrlEncode(plugin.options ? `${plugin.name};${plugin.options}` : plugin.name)}`
    : '';
  return `ss://${userinfo}@${endpoint(entry)}${pluginPart}#${rawUrlEncode(entry.name)}`;
}

/** v2rayN's "v2" JSON share format; `type` is the header type, or the network for ws/grpc/h2. */
function vmessLink(entry: ProfileEntry, node: VmessNode): string {
  const { transport, security } = node;
  const config: Record<string, string> = {
    v: '2',
    ps: entry.name,
    add: node.address,
    port: String(entry.credentials.port),
    id: entry.credentials.uuid,
    aid: '0',
    net: transport.network,
    type: 'none',
    host: '',
    path: '',
    tls: security.type === 'tls' ? 'tls' : '',
  };
  if (security.type === 'tls') {
    if (security.serverName) config.sni = security.serverName;
    if (security.fingerprint) config.fp = security.fingerprint;
    if (security.alpn?.length) config.alpn = security.alpn.join(',');
  }
  Object.assign(config, vmessTransport(transport));
  return `vmess://${base64(JSON.stringify(config))}`;
}

function vmessTransport(t: Transport): Record<string, string> {
  switch (t.network) {
    case 'tcp':
      return t.headerType === 'http'
        ? { type: 'http', path: t.path ?? '/', host: t.host ?? '' }
        : {};
    case 'grpc':
      return { type: 'grpc', path: t.serviceName ?? '' };
    default:
      return { type: t.network, path: t.path ?? '/', host: t.host ?? '' };
  }
}

function vlessLink(entry: ProfileEntry, node: VlessNode): string {
  const query: Query = [
    ['encryption', 'none'],
    ...(node.flow ? ([['flow', node.flow]] as Query) : []),
    ...transportQuery(node.transport),
    ...securityQuery(node.security),
  ];
  return withQuery(
    `vless://${entry.credentials.uuid}@${endpoint(entry)}`,
    query,
    entry.name,
  );
}

function trojanLink(entry: ProfileEntry, node: TrojanNode): string {
  const { security } = node;
  const query: Query = [
    ...transportQuery(node.transport),
    ...securityQuery(security),
    // Shadowrocket and trojan-go read the SNI as `peer`, and want allowInsecure spelt out.
    ...(security.type === 'tls'
      ? ([
          ['peer', security.serverName ?? node.address],
          ['allowInsecure', security.allowInsecure ? '1' : '0'],
        ] as Query)
      : []),
  ];
  const password = encodeURIComponent(entry.credentials.password);
  return withQuery(
    `trojan://${password}@${endpoint(entry)}`,
    query,
    entry.name,
  );
}

/** Xray's share-link keys for the stream transport. */
function transportQuery(t: Transport): Query {
  switch (t.network) {
    case 'tcp':
      return t.headerType === 'http'
        ? [
            ['type', 'tcp'],
            ['headerType', 'http'],
            ['path', t.path ?? '/'],
            ...(t.host ? ([['host', t.host]] as Query) : []),
          ]
        : [['type', 'tcp']];
    case 'grpc':
      // gun, not multi: sing-box (client and V2bX server core) only speaks gun.
      return [
        ['type', 'grpc'],
        ['serviceName', t.serviceName ?? ''],
        ['mode', 'gun'],
      ];
    case 'h2':
      return pathHost('http', t);
    default:
      return pathHost(t.network, t);
  }
}

function pathHost(type: string, t: Transport): Query {
  return [
    ['type', type],
    ['path', t.path ?? '/'],
    ...(t.host ? ([['host', t.host]] as Query) : []),
  ];
}

function securityQuery(security: Security): Query {
  if (security.type === 'reality') return realityQuery(security);
  if (security.type === 'tls') return tlsQuery(security);
  return [['security', 'none']];
}

function tlsQuery(tls: TlsSecurity): Query {
  const query: Query = [['security', 'tls']];
  if (tls.serverName) query.push(['sni', tls.serverName]);
  if (tls.fingerprint) query.push(['fp', tls.fingerprint]);
  if (tls.alpn?.length) query.push(['alpn', tls.alpn.join(',')]);
  if (tls.allowInsecure) query.push(['allowInsecure', '1']);
  return query;
}

function realityQuery(reality: RealitySecurity): Query {
  return [
    ['security', 'reality'],
    ['sni', reality.serverName],
    ['fp', reality.fingerprint],
    ['pbk', reality.publicKey],
    ['sid', reality.shortId],
    ['spx', '/'],
  ];
}

function hysteria2Link(entry: ProfileEntry, node: Hysteria2Node): string {
  const query: Query = [
    ['sni', node.tls.serverName ?? node.address],
    ['insecure', node.tls.allowInsecure ? '1' : '0'],
  ];
  if (node.obfs) {
    query.push(['obfs', node.obfs.type], ['obfs-password', node.obfs.password]);
  }
  if (node.ports) query.push(['mport', node.ports]);
  const auth = encodeURIComponent(entry.credentials.password);
  return withQuery(`hysteria2://${auth}@${endpoint(entry)}`, query, entry.name);
}

/**
 * Hysteria v1's own URI scheme (apernet/hysteria v1 docs, as NekoBox/SagerNet parse it): no
 * userinfo, `auth` in the query, `peer` the SNI, bandwidth as `upmbps`/`downmbps`, XPlus as
 * `obfs=xplus&obfsParam=<password>`.
 */
function hysteriaLink(entry: ProfileEntry, node: HysteriaNode): string {
  const query: Query = [
    ['protocol', 'udp'],
    ['auth', entry.credentials.password],
    ['peer', node.tls.serverName ?? node.address],
    ['insecure', node.tls.allowInsecure ? '1' : '0'],
    ['upmbps', String(node.upMbps)],
    ['downmbps', String(node.downMbps)],
    ['alpn', (node.tls.alpn ?? ['hysteria']).join(',')],
  ];
  if (node.obfsPassword) {
    query.push(['obfs', 'xplus'], ['obfsParam', node.obfsPassword]);
  }
  return withQuery(`hysteria://${endpoint(entry)}`, query, entry.name);
}

/** Xboard's AnyTLS link: the uuid as password, `sni` and `insecure`. */
function anytlsLink(entry: ProfileEntry, node: AnyTlsNode): string {
  const query: Query = [
    ['sni', node.tls.serverName ?? node.address],
    ['insecure', node.tls.allowInsecure ? '1' : '0'],
  ];
  const password = encodeURIComponent(entry.credentials.password);
  return withQuery(
    `anytls://${password}@${endpoint(entry)}`,
    query,
    entry.name,
  );
}

function tuicLink(entry: ProfileEntry, node: TuicNode): string {
  const query: Query = [
    ['sni', node.tls.serverName ?? node.address],
    ['alpn', (node.tls.alpn ?? ['h3']).join(',')],
    ['congestion_control', node.congestionControl],
    ['udp-relay-mode', node.udpRelayMode],
  ];
  if (node.tls.allowInsecure) query.push(['insecure', '1']);
  const { uuid, password } = entry.credentials;
  const userinfo = `${uuid}:${encodeURIComponent(password)}`;
  return withQuery(`tuic://${userinfo}@${endpoint(entry)}`, query, entry.name);
}
