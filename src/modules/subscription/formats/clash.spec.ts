import { parse } from 'yaml';
import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import { renderClash } from './clash.js';
import type { ProfileEntry } from './profile.js';

type Keys = { required: string[]; optional: string[] };

/**
 * The keys each proxy type decodes, from the `proxy:"…"` struct tags: a tag without
 * `omitempty` is required (common/structure/structure.go answers "key '…' missing").
 * mihomo: MetaCubeX/mihomo@Alpha 05e8f13a (2025-02-28) adapter/outbound/{shadowsocks,vmess,
 * vless,trojan,hysteria,hysteria2,tuic,anytls}.go, adapter/outbound/base.go (BasicOption), adapter/parser.go
 * (`type`). Unknown keys are ignored silently, which is why the optional list is checked too:
 * a misspelt key would be a silent bug.
 */
const BASIC = [
  'tfo',
  'mptcp',
  'interface-name',
  'routing-mark',
  'ip-version',
  'dialer-proxy',
];
const MIHOMO: Record<string, Keys> = {
  ss: {
    required: ['type', 'name', 'server', 'port', 'password', 'cipher'],
    optional: [
      'udp',
      'plugin',
      'plugin-opts',
      'udp-over-tcp',
      'udp-over-tcp-version',
      'client-fingerprint',
    ],
  },
  vmess: {
    required: ['type', 'name', 'server', 'port', 'uuid', 'alterId', 'cipher'],
    optional: [
      'udp',
      'network',
      'tls',
      'alpn',
      'skip-cert-verify',
      'fingerprint',
      'servername',
      'reality-opts',
      'http-opts',
      'h2-opts',
      'grpc-opts',
      'ws-opts',
      'packet-addr',
      'xudp',
      'packet-encoding',
      'global-padding',
      'authenticated-length',
      'client-fingerprint',
    ],
  },
  vless: {
    required: ['type', 'name', 'server', 'port', 'uuid'],
    optional: [
      'flow',
      'tls',
      'alpn',
      'udp',
      'packet-addr',
      'xudp',
      'packet-encoding',
      'network',
      'reality-opts',
      'http-opts',
      'h2-opts',
      'grpc-opts',
      'ws-opts',
      'ws-path',
      'ws-headers',
      'skip-cert-verify',
      'fingerprint',
      'servername',
      'client-fingerprint',
    ],
  },
  trojan: {
    required: ['type', 'name', 'server', 'port', 'password'],
    optional: [
      'alpn',
      'sni',
      'skip-cert-verify',
      'fingerprint',
      'udp',
      'network',
      'reality-opts',
      'grpc-opts',
      'ws-opts',
      'ss-opts',
      'client-fingerprint',
    ],
  },
  hysteria2: {
    required: ['type', 'name', 'server'],
    optional: [
      'port',
      'ports',
      'hop-interval',
      'up',
      'down',
      'password',
      'obfs',
      'obfs-password',
      'sni',
      'skip-cert-verify',
      'fingerprint',
      'alpn',
      'ca',
      'ca-str',
      'cwnd',
      'udp-mtu',
    ],
  },
  hysteria: {
    required: ['type', 'name', 'server', 'up', 'down'],
    optional: [
      'port',
      'ports',
      'protocol',
      'obfs-protocol',
      'up-speed',
      'down-speed',
      'auth',
      'auth-str',
      'obfs',
      'sni',
      'skip-cert-verify',
      'fingerprint',
      'alpn',
      'ca',
      'ca-str',
      'recv-window-conn',
      'recv-window',
      'disable-mtu-discovery',
      'fast-open',
      'hop-interval',
    ],
  },
  anytls: {
    required: ['type', 'name', 'server', 'port', 'password'],
    optional: [
      'alpn',
      'sni',
      'client-fingerprint',
      'skip-cert-verify',
      'fingerprint',
      'udp',
      'idle-session-check-interval',
      'idle-session-timeout',
      'min-idle-session',
    ],
  },
  tuic: {
    required: ['type', 'name', 'server', 'port'],
    optional: [
      'token',
      'uuid',
      'password',
      'ip',
      'heartbeat-interval',
      'alpn',
      'reduce-rtt',
      'request-timeout',
      'udp-relay-mode',
      'congestion-controller',
      'disable-sni',
      'max-udp-relay-packet-size',
      'fast-open',
      'max-open-streams',
      'cwnd',
      'skip-cert-verify',
      'fingerprint',
      'ca',
      'ca-str',
      'recv-window-conn',
      'recv-window',
      'disable-mtu-discovery',
      'max-datagram-frame-size',
      'sni',
      'udp-over-stream',
      'udp-over-stream-version',
    ],
  },
};

/**
 * Dreamacro's Clash (the last Dreamacro-authored tree in mihomo's history, aaf08dad,
 * 2022-07-05, same files): only ss, vmess and trojan, with fewer keys.
 */
const LEGACY: Record<string, Keys> = {
  ss: {
    required: MIHOMO.ss.required,
    optional: ['udp', 'plugin', 'plugin-opts'],
  },
  vmess: {
    required: MIHOMO.vmess.required,
    optional: [
      'udp',
      'network',
      'tls',
      'skip-cert-verify',
      'servername',
      'http-opts',
      'h2-opts',
      'grpc-opts',
      'ws-opts',
    ],
  },
  trojan: {
    required: MIHOMO.trojan.required,
    optional: [
      'alpn',
      'sni',
      'skip-cert-verify',
      'udp',
      'network',
      'grpc-opts',
      'ws-opts',
    ],
  },
};

/** Nested option structs (same files): every key optional except where listed. */
const NESTED: Record<string, Keys> = {
  'ws-opts': {
    required: [],
    optional: [
      'path',
      'headers',
      'max-early-data',
      'early-data-header-name',
      'v2ray-http-upgrade',
      'v2ray-http-upgrade-fast-open',
    ],
  },
  'grpc-opts': { required: [], optional: ['grpc-service-name'] },
  'h2-opts': { required: [], optional: ['host', 'path'] },
  'http-opts': { required: [], optional: ['method', 'path', 'headers'] },
  // adapter/outbound/reality.go: both tags lack omitempty.
  'reality-opts': { required: ['public-key', 'short-id'], optional: [] },
};

/** The network each `*-opts` belongs to: mihomo reads only the one matching `network`. */
const OPTS_NETWORK: Record<string, string> = {
  'ws-opts': 'ws',
  'grpc-opts': 'grpc',
  'h2-opts': 'h2',
  'http-opts': 'http',
};

type Proxy = Record<string, unknown>;
type Config = {
  'mixed-port': number;
  mode: string;
  proxies: Proxy[];
  'proxy-groups': { name: string; type: string; proxies: string[] }[];
  rules: string[];
};

function checkKeys(
  where: string,
  value: Record<string, unknown>,
  keys: Keys,
  basic: string[] = [],
): void {
  for (const key of keys.required) {
    expect({
      where,
      key,
      present: value[key] !== undefined && value[key] !== null,
    }).toEqual({ where, key, present: true });
  }
  const allowed = new Set([...keys.required, ...keys.optional, ...basic]);
  expect({
    where,
    unknown: Object.keys(value).filter((k) => !allowed.has(k)),
  }).toEqual({ where, unknown: [] });
}

function checkProxy(proxy: Proxy, table: Record<string, Keys>): void {
  const type = String(proxy.type);
  const where = `${type} ${String(proxy.name)}`;
  expect(Object.keys(table)).toContain(type);
  checkKeys(where, proxy, table[type], BASIC);
  expect(typeof proxy.port === 'number' || proxy.port === undefined).toBe(true);
  for (const [key, network] of Object.entries(OPTS_NETWORK)) {
    if (proxy[key] === undefined) continue;
    expect({ where, key, network: proxy.network }).toEqual({
      where,
      key,
      network,
    });
    checkKeys(`${where} ${key}`, proxy[key] as Proxy, NESTED[key]);
  }
  if (proxy['reality-opts'] !== undefined) {
    checkKeys(
      `${where} reality-opts`,
      proxy['reality-opts'] as Proxy,
      NESTED['reality-opts'],
    );
    // mihomo only builds Reality inside its TLS client (vless.go: `if v.option.TLS`).
    if (type !== 'trojan') expect(proxy.tls).toBe(true);
  }
  for (const key of ['udp', 'tls', 'skip-cert-verify', 'reduce-rtt']) {
    if (proxy[key] !== undefined) expect(typeof proxy[key]).toBe('boolean');
  }
  if (proxy.alpn !== undefined) expect(Array.isArray(proxy.alpn)).toBe(true);
}

const ALL_ROWS = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];
const allEntries = (): ProfileEntry[] => ALL_ROWS.map((r) => entry(r));

function rendered(
  entries: ProfileEntry[],
  meta: boolean,
  title = 'Panel',
): Config {
  const out = renderClash(profile(entries, title), { meta });
  expect(out.contentType).toBe('text/yaml; charset=utf-8');
  expect(out.extension).toBe('yaml');
  return parse(out.body) as Config;
}

function names(config: Config): string[] {
  return config.proxies.map((p) => String(p.name));
}

describe('clash (mihomo / Clash Meta)', () => {
  it('parses with yaml and every proxy has exactly the keys mihomo decodes for its type', () => {
    const config = rendered(allEntries(), true);
    expect(config.proxies.length).toBeGreaterThan(0);
    for (const proxy of config.proxies) checkProxy(proxy, MIHOMO);
    expect(new Set(config.proxies.map((p) => p.type))).toEqual(
      new Set([
        'ss',
        'vmess',
        'vless',
        'trojan',
        'hysteria2',
        'hysteria',
        'tuic',
        'anytls',
      ]),
    );
  });

  it('has a select group named after the site with every proxy, an url-test group and MATCH', () => {
    const config = rendered(allEntries(), true, 'My Site');
    expect(config).toMatchObject({ 'mixed-port': 7890, mode: 'rule' });
    const [select, auto] = config['proxy-groups'];
    expect(select).toMatchObject({ name: 'My Site', type: 'select' });
    expect(select.proxies).toEqual(['Auto', ...names(config)]);
    expect(auto).toMatchObject({
      name: 'Auto',
      type: 'url-test',
      proxies: names(config),
    });
    expect(config.rules).toEqual(['MATCH,My Site']);
  });

  it('maps each vector node to the fields its clients expect', () => {
    const byName = (n: string) =>
      rendered(allEntries(), true).proxies.find((p) => p.name === n);
    expect(byName('HK 01')).toEqual({
      name: 'HK 01',
      type: 'ss',
      server: 'hk1.example.com',
      port: 8388,
      cipher: 'aes-256-gcm',
      password: expect.any(String),
      udp: true,
    });
    expect(byName('JP SS2022')).toMatchObject({
      type: 'ss',
      cipher: '2022-blake3-aes-128-gcm',
      password: 'MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
    });
    expect(byName('US 01')).toMatchObject({
      type: 'vmess',
      tls: true,
      servername: 'us1.example.com',
      network: 'ws',
      'ws-opts': { path: '/ws', headers: { Host: 'cdn.example.com' } },
    });
    expect(byName('SG Reality')).toMatchObject({
      type: 'vless',
      flow: 'xtls-rprx-vision',
      tls: true,
      servername: 'www.microsoft.com',
      'client-fingerprint': 'chrome',
      'reality-opts': {
        'public-key': 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
        'short-id': '6ba85179e30d4fc2',
      },
    });
    expect(byName('DE Trojan')).toMatchObject({
      type: 'trojan',
      sni: 'de1.example.com',
      'skip-cert-verify': false,
    });
    expect(byName('HY2 01')).toMatchObject({
      type: 'hysteria2',
      obfs: 'salamander',
      'obfs-password': 'obfspass',
      sni: 'hy.example.com',
    });
    expect(byName('HY2 hop')).toMatchObject({
      ports: '20000-30000,40000',
      up: '50 Mbps',
      down: '200 Mbps',
      'skip-cert-verify': true,
    });
    expect(byName('HY1 01')).toEqual({
      name: 'HY1 01',
      type: 'hysteria',
      server: 'hy1.example.com',
      port: 443,
      'auth-str': '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10',
      up: '100 Mbps',
      down: '500 Mbps',
      protocol: 'udp',
      sni: 'hy1.example.com',
      'skip-cert-verify': false,
      alpn: ['hysteria'],
      obfs: 'xplus-secret',
    });
    expect(byName('AnyTLS 01')).toEqual({
      name: 'AnyTLS 01',
      type: 'anytls',
      server: 'at.example.com',
      port: 8443,
      password: '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10',
      sni: 'at.example.com',
      'skip-cert-verify': false,
      udp: true,
    });
    expect(byName('TUIC 01')).toMatchObject({
      type: 'tuic',
      alpn: ['h3'],
      'congestion-controller': 'bbr',
      'udp-relay-mode': 'native',
    });
    expect(byName('SS obfs')).toMatchObject({
      plugin: 'obfs',
      'plugin-opts': { mode: 'http', host: 'www.bing.com' },
    });
    expect(byName('SS v2ray-plugin')).toMatchObject({
      plugin: 'v2ray-plugin',
      'plugin-opts': {
        mode: 'websocket',
        host: 'v2p.example.com',
        path: '/ss',
        tls: true,
      },
    });
    expect(byName('VMess HTTPUpgrade')).toMatchObject({
      network: 'ws',
      'ws-opts': { path: '/up', 'v2ray-http-upgrade': true },
    });
    expect(byName('VMess HTTP header')).toMatchObject({
      network: 'http',
      'http-opts': {
        method: 'GET',
        path: ['/index'],
        headers: { Host: ['www.baidu.com'] },
      },
    });
    expect(byName('VMess H2')).toMatchObject({
      network: 'h2',
      'h2-opts': { path: '/h2', host: ['h2.example.com'] },
    });
    expect(byName('Trojan gRPC')).toMatchObject({
      network: 'grpc',
      'grpc-opts': { 'grpc-service-name': 'tj' },
      'skip-cert-verify': true,
    });
  });

  it('never leaks the Reality private key', () => {
    expect(renderClash(profile(allEntries())).body).not.toContain(
      'agent-only-private-key',
    );
  });

  it('makes duplicate node names unique (mihomo refuses duplicates)', () => {
    const a = entry(VECTOR_ROWS.V1);
    const config = rendered([a, { ...a }, { ...a, name: 'Panel' }], true);
    expect(names(config)).toEqual(['HK 01', 'HK 01 2', 'Panel 2']);
  });

  it('an empty profile still loads: the select group falls back to DIRECT', () => {
    const config = rendered([], true);
    expect(config.proxies).toEqual([]);
    expect(config['proxy-groups']).toEqual([
      { name: 'Panel', type: 'select', proxies: ['DIRECT'] },
    ]);
  });

  it('values stay strings for a YAML 1.1 reader (Dreamacro Clash uses yaml.v2)', () => {
    const odd = entry({
      ...VECTOR_ROWS.V1,
      name: 'no',
      server: '1:2:3:4:5:6:7:8',
    });
    const body = renderClash(profile([odd]), { meta: false }).body;
    const config = parse(body, { version: '1.1' }) as Config;
    expect(config.proxies[0]).toMatchObject({
      name: 'no',
      server: '1:2:3:4:5:6:7:8',
    });
  });

  it('a comma in the title cannot break the MATCH rule', () => {
    expect(rendered([entry(VECTOR_ROWS.V1)], true, 'A, B').rules).toEqual([
      'MATCH,A  B',
    ]);
  });
});

describe('clash (legacy, non-Meta)', () => {
  it('keeps ss (not 2022), vmess and trojan with only the keys Dreamacro Clash decodes', () => {
    const config = rendered(allEntries(), false);
    for (const proxy of config.proxies) checkProxy(proxy, LEGACY);
    expect(names(config).sort()).toEqual(
      [
        'HK 01',
        'SS IPv6',
        'SS obfs',
        'SS v2ray-plugin',
        'US 01',
        'VMess TCP',
        'VMess HTTP header',
        'VMess gRPC',
        'VMess H2',
        'DE Trojan',
        'Trojan gRPC',
        'Trojan WS',
      ].sort(),
    );
  });

  it('leaves out vless, hysteria (both versions), tuic, anytls, ss2022, httpupgrade and unknown ciphers', () => {
    const left = names(rendered(allEntries(), false));
    for (const gone of [
      'SG Reality',
      'VLESS WS',
      'VLESS TLS',
      'VLESS gRPC',
      'HY2 01',
      'HY2 hop',
      'HY1 01',
      'AnyTLS 01',
      'TUIC 01',
      'JP SS2022',
      'SS2022 256',
      'VMess HTTPUpgrade',
    ]) {
      expect(left).not.toContain(gone);
    }
    const odd = entry(VECTOR_ROWS.V1, {
      id: 1,
      uuid: 'u',
      passwd: 'p',
      port: 1,
      method: '2022-blake3-aes-128-gcm',
    });
    expect(rendered([odd], false).proxies).toEqual([]);
  });
});
