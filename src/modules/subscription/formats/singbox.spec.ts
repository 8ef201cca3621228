import { Ajv, type SchemaObject } from 'ajv';
import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import type { ProfileEntry } from './profile.js';
import { renderSingbox } from './singbox.js';

/**
 * JSON schemas per outbound type, from the json tags of SagerNet/sing-box@7df171ff
 * (2026-03-11) option/{shadowsocks,vmess,vless,trojan,hysteria,hysteria2,tuic,anytls,group,direct,outbound,
 * tls,v2ray_transport,simple,inbound,route,options}.go. A tag without `omitempty` is required
 * here; `additionalProperties: false` catches a misspelt key, which sing-box would reject
 * ("json: unknown field").
 */
const str = { type: 'string', minLength: 1 };
const anyStr = { type: 'string' };
const bool = { type: 'boolean' };
const strList = { type: 'array', items: str, minItems: 1 };
const duration = { type: 'string', pattern: '^\\d+(ms|s|m|h)$' };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

function object(
  required: Record<string, unknown>,
  optional: Record<string, unknown> = {},
): SchemaObject {
  return {
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
    additionalProperties: false,
  };
}

/** DialerOptions: none of them is set by the renderer, but all are legal. */
const DIAL = Object.fromEntries(
  [
    'detour',
    'bind_interface',
    'inet4_bind_address',
    'inet6_bind_address',
    'bind_address_no_port',
    'protect_path',
    'routing_mark',
    'reuse_addr',
    'netns',
    'connect_timeout',
    'tcp_fast_open',
    'tcp_multi_path',
    'disable_tcp_keep_alive',
    'tcp_keep_alive',
    'tcp_keep_alive_interval',
    'udp_fragment',
    'domain_resolver',
    'network_strategy',
    'network_type',
    'fallback_network_type',
    'fallback_delay',
  ].map((k) => [k, {}]),
);

const tls = {
  ...object(
    { enabled: { const: true } },
    {
      disable_sni: bool,
      server_name: str,
      insecure: bool,
      alpn: strList,
      min_version: str,
      max_version: str,
      utls: object({ enabled: { const: true }, fingerprint: str }),
      reality: object({
        enabled: { const: true },
        public_key: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
        short_id: { type: 'string', pattern: '^[0-9a-f]{0,16}$' },
      }),
    },
  ),
  // sing-box: "uTLS is required by reality client".
  dependencies: { reality: ['utls'] },
};

const headers = { type: 'object', additionalProperties: anyStr };
const transport = {
  oneOf: [
    object(
      { type: { const: 'ws' } },
      {
        path: str,
        headers,
        max_early_data: { type: 'integer' },
        early_data_header_name: str,
      },
    ),
    object(
      { type: { const: 'grpc' }, service_name: anyStr },
      {
        idle_timeout: duration,
        ping_timeout: duration,
        permit_without_stream: bool,
      },
    ),
    object(
      { type: { const: 'httpupgrade' } },
      { host: str, path: str, headers },
    ),
    object(
      { type: { const: 'http' } },
      {
        host: strList,
        path: str,
        method: str,
        headers,
        idle_timeout: duration,
        ping_timeout: duration,
      },
    ),
  ],
};

const server = { tag: str, server: str, server_port: port };
const network = { network: { enum: ['tcp', 'udp'] } };

const OUTBOUNDS: Record<string, SchemaObject> = {
  shadowsocks: object(
    { type: { const: 'shadowsocks' }, ...server, method: str, password: str },
    {
      ...DIAL,
      ...network,
      plugin: { enum: ['obfs-local', 'v2ray-plugin'] },
      plugin_opts: anyStr,
      udp_over_tcp: {},
      multiplex: {},
    },
  ),
  vmess: object(
    {
      type: { const: 'vmess' },
      ...server,
      uuid: str,
      security: {
        enum: [
          'auto',
          'none',
          'zero',
          'aes-128-gcm',
          'chacha20-poly1305',
          'aes-128-ctr',
        ],
      },
    },
    {
      ...DIAL,
      ...network,
      alter_id: { const: 0 },
      global_padding: bool,
      authenticated_length: bool,
      tls,
      packet_encoding: str,
      multiplex: {},
      transport,
    },
  ),
  vless: object(
    { type: { const: 'vless' }, ...server, uuid: str },
    {
      ...DIAL,
      ...network,
      flow: { const: 'xtls-rprx-vision' },
      tls,
      multiplex: {},
      transport,
      packet_encoding: str,
    },
  ),
  trojan: object(
    { type: { const: 'trojan' }, ...server, password: str },
    { ...DIAL, ...network, tls, multiplex: {}, transport },
  ),
  hysteria2: object(
    { type: { const: 'hysteria2' }, ...server, tls },
    {
      ...DIAL,
      ...network,
      server_ports: {
        type: 'array',
        items: { type: 'string', pattern: '^\\d+:\\d+$' },
        minItems: 1,
      },
      hop_interval: duration,
      up_mbps: { type: 'integer', minimum: 1 },
      down_mbps: { type: 'integer', minimum: 1 },
      obfs: object({ type: { const: 'salamander' }, password: str }),
      password: str,
      brutal_debug: bool,
    },
  ),
  hysteria: object(
    {
      type: { const: 'hysteria' },
      ...server,
      // Required in practice: sing-box refuses a v1 outbound without bandwidth.
      up_mbps: { type: 'integer', minimum: 1 },
      down_mbps: { type: 'integer', minimum: 1 },
      tls,
    },
    {
      ...DIAL,
      ...network,
      server_ports: strList,
      hop_interval: duration,
      up: str,
      down: str,
      obfs: str,
      auth: str,
      auth_str: str,
      recv_window_conn: { type: 'integer' },
      recv_window: { type: 'integer' },
      disable_mtu_discovery: bool,
    },
  ),
  anytls: object(
    { type: { const: 'anytls' }, ...server, password: str, tls },
    {
      ...DIAL,
      idle_session_check_interval: duration,
      idle_session_timeout: duration,
      min_idle_session: { type: 'integer', minimum: 0 },
    },
  ),
  tuic: object(
    { type: { const: 'tuic' }, ...server, uuid: str, tls },
    {
      ...DIAL,
      ...network,
      password: str,
      congestion_control: { enum: ['cubic', 'new_reno', 'bbr'] },
      udp_relay_mode: { enum: ['native', 'quic'] },
      udp_over_stream: bool,
      zero_rtt_handshake: bool,
      heartbeat: duration,
    },
  ),
  selector: object(
    { type: { const: 'selector' }, tag: str, outbounds: strList },
    { default: str, interrupt_exist_connections: bool },
  ),
  urltest: object(
    { type: { const: 'urltest' }, tag: str, outbounds: strList },
    {
      url: str,
      interval: duration,
      tolerance: { type: 'integer', minimum: 0 },
      idle_timeout: duration,
      interrupt_exist_connections: bool,
    },
  ),
  direct: object({ type: { const: 'direct' }, tag: str }, DIAL),
};

const CONFIG = object(
  {
    inbounds: {
      type: 'array',
      items: object(
        { type: { const: 'mixed' }, tag: str, listen: str, listen_port: port },
        { users: {}, set_system_proxy: bool },
      ),
    },
    outbounds: { type: 'array', minItems: 1 },
    route: object(
      { final: str },
      {
        rules: {
          type: 'array',
          items: object({ outbound: str }, { ip_is_private: bool }),
        },
        auto_detect_interface: bool,
      },
    ),
  },
  {
    $schema: str,
    log: object(
      {},
      { level: str, timestamp: bool, disabled: bool, output: str },
    ),
    dns: {},
    ntp: {},
    experimental: {},
  },
);

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = Object.fromEntries(
  Object.entries(OUTBOUNDS).map(([type, schema]) => [
    type,
    ajv.compile(schema),
  ]),
);
const validateConfig = ajv.compile(CONFIG);

type Outbound = Record<string, unknown> & { type: string; tag: string };
type Config = {
  outbounds: Outbound[];
  route: { final: string; rules: { outbound: string }[] };
  inbounds: unknown[];
};

function check(config: Config): void {
  expect({
    config: validateConfig(config) ? [] : validateConfig.errors,
  }).toEqual({ config: [] });
  for (const outbound of config.outbounds) {
    const validate = validators[outbound.type];
    expect({ tag: outbound.tag, known: Boolean(validate) }).toEqual({
      tag: outbound.tag,
      known: true,
    });
    expect({
      tag: outbound.tag,
      errors: validate(outbound) ? [] : validate.errors,
    }).toEqual({ tag: outbound.tag, errors: [] });
  }
  const tags = config.outbounds.map((o) => o.tag);
  expect(new Set(tags).size).toBe(tags.length);
  const referenced = [
    config.route.final,
    ...config.route.rules.map((r) => r.outbound),
    ...config.outbounds.flatMap((o) =>
      Array.isArray(o.outbounds) ? (o.outbounds as string[]) : [],
    ),
  ];
  for (const tag of referenced) expect(tags).toContain(tag);
}

const ALL_ROWS = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];
const allEntries = (): ProfileEntry[] => ALL_ROWS.map((r) => entry(r));

function rendered(entries: ProfileEntry[], title = 'Panel'): Config {
  const out = renderSingbox(profile(entries, title));
  expect(out.contentType).toBe('application/json; charset=utf-8');
  expect(out.extension).toBe('json');
  return JSON.parse(out.body) as Config;
}

const byTag = (config: Config, tag: string) =>
  config.outbounds.find((o) => o.tag === tag);

describe('singbox', () => {
  it('every outbound matches the schema of its type; every referenced tag exists', () => {
    const config = rendered(allEntries());
    check(config);
    expect(new Set(config.outbounds.map((o) => o.type))).toEqual(
      new Set([
        'selector',
        'urltest',
        'shadowsocks',
        'vmess',
        'vless',
        'trojan',
        'hysteria2',
        'hysteria',
        'tuic',
        'anytls',
        'direct',
      ]),
    );
  });

  it('the schemas can fail: a misspelt key, a missing uuid and Reality without uTLS are caught', () => {
    const bad = [
      {
        type: 'vless',
        tag: 'a',
        server: 'x',
        server_port: 1,
        uuid: 'u',
        tls: {
          enabled: true,
          reality: {
            enabled: true,
            public_key: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
            short_id: '',
          },
        },
      },
      {
        type: 'vmess',
        tag: 'b',
        server: 'x',
        server_port: 1,
        security: 'auto',
      },
      {
        type: 'trojan',
        tag: 'c',
        server: 'x',
        server_port: 1,
        password: 'p',
        tls: { enabled: true, sni: 'x' },
      },
    ];
    for (const outbound of bad)
      expect(validators[outbound.type](outbound)).toBe(false);
  });

  it('a selector named after the site (default: urltest) is route.final; a mixed inbound; no legacy outbounds', () => {
    const config = rendered(allEntries(), 'My Site');
    const proxies = config.outbounds
      .filter((o) => !['selector', 'urltest', 'direct'].includes(o.type))
      .map((o) => o.tag);
    expect(byTag(config, 'My Site')).toEqual({
      type: 'selector',
      tag: 'My Site',
      outbounds: ['auto', ...proxies],
      default: 'auto',
    });
    expect(byTag(config, 'auto')).toMatchObject({
      type: 'urltest',
      outbounds: proxies,
    });
    expect(config.route.final).toBe('My Site');
    expect(config.inbounds).toEqual([
      {
        type: 'mixed',
        tag: 'mixed-in',
        listen: '127.0.0.1',
        listen_port: 2080,
      },
    ]);
    expect(config.outbounds.map((o) => o.type)).not.toEqual(
      expect.arrayContaining(['block']),
    );
    expect(config.outbounds.map((o) => o.type)).not.toContain('dns');
  });

  it('maps the vector nodes', () => {
    const config = rendered(allEntries());
    expect(byTag(config, 'JP SS2022')).toEqual({
      type: 'shadowsocks',
      tag: 'JP SS2022',
      server: 'jp1.example.com',
      server_port: 8389,
      method: '2022-blake3-aes-128-gcm',
      password: 'MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
    });
    expect(byTag(config, 'US 01')).toMatchObject({
      type: 'vmess',
      security: 'auto',
      alter_id: 0,
      tls: { enabled: true, server_name: 'us1.example.com', insecure: false },
      transport: {
        type: 'ws',
        path: '/ws',
        headers: { Host: 'cdn.example.com' },
      },
    });
    expect(byTag(config, 'SG Reality')).toMatchObject({
      type: 'vless',
      flow: 'xtls-rprx-vision',
      tls: {
        enabled: true,
        server_name: 'www.microsoft.com',
        utls: { enabled: true, fingerprint: 'chrome' },
        reality: {
          enabled: true,
          public_key: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
          short_id: '6ba85179e30d4fc2',
        },
      },
    });
    expect(byTag(config, 'SG Reality')).not.toHaveProperty('transport');
    expect(byTag(config, 'HY2 01')).toMatchObject({
      obfs: { type: 'salamander', password: 'obfspass' },
      tls: { server_name: 'hy.example.com', alpn: ['h3'] },
    });
    expect(byTag(config, 'HY2 hop')).toMatchObject({
      server_ports: ['20000:30000', '40000:40000'],
      up_mbps: 50,
      down_mbps: 200,
    });
    expect(byTag(config, 'HY1 01')).toEqual({
      type: 'hysteria',
      tag: 'HY1 01',
      server: 'hy1.example.com',
      server_port: 443,
      up_mbps: 100,
      down_mbps: 500,
      auth_str: '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10',
      obfs: 'xplus-secret',
      tls: {
        enabled: true,
        server_name: 'hy1.example.com',
        insecure: false,
        alpn: ['hysteria'],
      },
    });
    expect(byTag(config, 'AnyTLS 01')).toEqual({
      type: 'anytls',
      tag: 'AnyTLS 01',
      server: 'at.example.com',
      server_port: 8443,
      password: '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10',
      tls: { enabled: true, server_name: 'at.example.com', insecure: false },
    });
    expect(byTag(config, 'TUIC 01')).toMatchObject({
      congestion_control: 'bbr',
      udp_relay_mode: 'native',
      zero_rtt_handshake: false,
    });
    expect(byTag(config, 'SS obfs')).toMatchObject({
      plugin: 'obfs-local',
      plugin_opts: 'obfs=http;obfs-host=www.bing.com',
    });
    expect(byTag(config, 'VMess gRPC')).toMatchObject({
      transport: { type: 'grpc', service_name: 'vmgrpc' },
    });
    expect(byTag(config, 'VMess HTTPUpgrade')).toMatchObject({
      transport: { type: 'httpupgrade', path: '/up', host: 'cdn.example.com' },
    });
    expect(byTag(config, 'VMess H2')).toMatchObject({
      transport: { type: 'http', path: '/h2', host: ['h2.example.com'] },
    });
    expect(byTag(config, 'SS IPv6')).toMatchObject({
      server: '2001:db8::1',
      server_port: 10007,
    });
  });

  it('leaves out what sing-box cannot carry: the TCP HTTP-header disguise, unknown SIP003 plugins', () => {
    const kcp = entry({
      ...EXTRA_ROWS.ssObfs,
      customConfig: JSON.stringify({
        offset_port_user: 1,
        plugin: 'kcptun',
        plugin_option: 'mode=fast',
      }),
    });
    const config = rendered([
      entry(EXTRA_ROWS.vmessHttpHeader),
      kcp,
      entry(VECTOR_ROWS.V1),
    ]);
    expect(config.outbounds.map((o) => o.tag)).toEqual([
      'Panel',
      'auto',
      'HK 01',
      'direct',
    ]);
    check(config);
  });

  it('an empty profile still loads: the selector falls back to direct', () => {
    const config = rendered([]);
    check(config);
    expect(config.outbounds).toEqual([
      { type: 'selector', tag: 'Panel', outbounds: ['direct'] },
      { type: 'direct', tag: 'direct' },
    ]);
  });

  it('never leaks the Reality private key', () => {
    expect(renderSingbox(profile(allEntries())).body).not.toContain(
      'agent-only-private-key',
    );
  });
});
