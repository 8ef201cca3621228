import {
  clientCredentials,
  type NodeProtocol,
  type NodeSource,
  readNodeProtocol,
} from './index.js';

const UUID = '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10';
const USER = {
  id: 7,
  uuid: UUID,
  passwd: 'pw123',
  port: 10007,
  method: 'chacha20-ietf-poly1305',
};

function source(over: Partial<NodeSource>): NodeSource {
  return {
    id: 1,
    name: 'N',
    sort: 0,
    server: 'hk1.example.com',
    method: 'aes-256-gcm',
    customConfig: null,
    trafficRate: 1,
    nodeClass: 0,
    nodeGroup: 0,
    nodeSpeedlimit: 0,
    ...over,
  };
}

function read(over: Partial<NodeSource>): NodeProtocol {
  const reading = readNodeProtocol(source(over));
  if (!reading.ok) throw new Error(JSON.stringify(reading.problems));
  return reading.node;
}

function problems(over: Partial<NodeSource>): Record<string, string> {
  const reading = readNodeProtocol(source(over));
  if (reading.ok) throw new Error('expected problems');
  return reading.problems;
}

describe('readNodeProtocol (SSPanel-UIM form)', () => {
  it('sort 0 without offsets is per-user-port Shadowsocks with the user credentials', () => {
    const node = read({ sort: 0 });
    expect(node).toMatchObject({
      protocol: 'shadowsocks',
      portPerUser: true,
      port: 0,
    });
    expect(clientCredentials(node, USER)).toEqual({
      port: 10007,
      uuid: UUID,
      password: 'pw123',
      method: 'chacha20-ietf-poly1305',
    });
  });

  it('sort 0 with offset ports is single-port, with the user method/password', () => {
    const node = read({
      customConfig: '{"offset_port_user":"8388","offset_port_node":18388}',
    });
    expect(node).toMatchObject({ port: 8388, listenPort: 18388 });
    expect(clientCredentials(node, USER).port).toBe(8388);
  });

  it('sort 1 is Shadowsocks 2022 keyed by the V2Board rule (vector V2 user key)', () => {
    const node = read({
      sort: 1,
      customConfig: JSON.stringify({
        offset_port_user: 8389,
        method: '2022-blake3-aes-128-gcm',
        server_key: 'MjQ5MjBkZWNmODNmNjk2MA==',
      }),
    });
    expect(clientCredentials(node, USER)).toMatchObject({
      port: 8389,
      method: '2022-blake3-aes-128-gcm',
      password: 'MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
    });
  });

  it('a server_key of the wrong length is a field problem', () => {
    expect(
      problems({
        sort: 1,
        customConfig: { method: '2022-blake3-aes-256-gcm', server_key: 'YWJj' },
      }),
    ).toHaveProperty(['custom_config.server_key']);
  });

  it('sort 11 VMess ws+tls from header/host keys', () => {
    const node = read({
      sort: 11,
      server: 'us1.example.com',
      customConfig: {
        offset_port_user: '443',
        offset_port_node: '10086',
        network: 'ws',
        security: 'tls',
        path: 'ws',
        host: 'cdn.example.com',
      },
    });
    expect(node).toMatchObject({
      protocol: 'vmess',
      port: 443,
      listenPort: 10086,
      transport: { network: 'ws', path: '/ws', host: 'cdn.example.com' },
      security: { type: 'tls', serverName: 'cdn.example.com' },
    });
  });

  it('sort 11 with enable_vless "1" and Reality is VLESS Vision', () => {
    const node = read({
      sort: 11,
      server: '203.0.113.10',
      customConfig: {
        enable_vless: '1',
        network: 'tcp',
        security: 'reality',
        flow: 'xtls-rprx-vision',
        'reality-opts': {
          'public-key': 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
          'short-id': '6ba85179e30d4fc2',
          server_names: ['www.microsoft.com'],
          private_key: 'secret',
        },
      },
    });
    expect(node).toMatchObject({
      protocol: 'vless',
      flow: 'xtls-rprx-vision',
      security: {
        type: 'reality',
        serverName: 'www.microsoft.com',
        shortId: '6ba85179e30d4fc2',
        privateKey: 'secret',
        fingerprint: 'chrome',
      },
    });
  });

  it('Reality without a public key, and vision over ws, are field problems', () => {
    const found = problems({
      sort: 13,
      customConfig: {
        network: 'ws',
        security: 'reality',
        flow: 'xtls-rprx-vision',
      },
    });
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        'custom_config.flow',
        'custom_config.reality-opts',
      ]),
    );
  });

  it('sort 14 Trojan defaults to TLS; grpc "1" selects grpc', () => {
    const node = read({
      sort: 14,
      server: 'de1.example.com',
      customConfig: { grpc: '1', servicename: 'tj', allow_insecure: '1' },
    });
    expect(node).toMatchObject({
      protocol: 'trojan',
      transport: { network: 'grpc', serviceName: 'tj' },
      security: {
        type: 'tls',
        serverName: 'de1.example.com',
        allowInsecure: true,
      },
    });
    expect(clientCredentials(node, USER).password).toBe(UUID);
  });

  it('sort 15 Hysteria2 with salamander from the UIM finalmask form', () => {
    const node = read({
      sort: 15,
      server: 'hy.example.com',
      customConfig: {
        hysteria2: {
          finalmask: {
            udp: [{ type: 'salamander', settings: { password: 'obfspass' } }],
          },
          portHopping: { ports: '20000-30000' },
        },
      },
    });
    expect(node).toMatchObject({
      protocol: 'hysteria2',
      port: 443,
      obfs: { type: 'salamander', password: 'obfspass' },
      ports: '20000-30000',
      tls: { serverName: 'hy.example.com', alpn: ['h3'] },
    });
  });

  it('sort 15 with version 1 is Hysteria v1: XPlus password, bandwidth, alpn hysteria; the uuid authenticates', () => {
    const node = read({
      sort: 15,
      customConfig: JSON.stringify({
        version: '1',
        offset_port_node: 8443,
        up_mbps: '100',
        down_mbps: 500,
        obfs_password: 'xp',
        sni: 'hy.example.com',
      }),
    });
    expect(node).toEqual({
      ...node,
      protocol: 'hysteria',
      port: 8443,
      upMbps: 100,
      downMbps: 500,
      obfsPassword: 'xp',
      tls: {
        type: 'tls',
        serverName: 'hy.example.com',
        allowInsecure: false,
        alpn: ['hysteria'],
      },
    });
    expect(clientCredentials(node, USER).password).toBe(UUID);
    // version 2 (or none) stays Hysteria 2.
    expect(
      read({ sort: 15, customConfig: '{"version":2,"up_mbps":1}' }).protocol,
    ).toBe('hysteria2');
  });

  it('Hysteria v1 refuses what its peers refuse: no or fractional bandwidth, salamander, port hopping, a third version', () => {
    expect(
      problems({ sort: 15, customConfig: '{"version":1,"up_mbps":10}' }),
    ).toEqual({
      'custom_config.down_mbps': expect.stringMatching(/down_mbps/),
    });
    expect(
      problems({
        sort: 15,
        customConfig: JSON.stringify({
          version: 1,
          up_mbps: 10.5,
          down_mbps: 0,
          obfs: 'salamander',
          obfs_password: 'x',
          ports: '20000-30000',
        }),
      }),
    ).toEqual({
      'custom_config.up_mbps': expect.any(String),
      'custom_config.down_mbps': expect.any(String),
      'custom_config.obfs': expect.stringMatching(/salamander is Hysteria 2/),
      'custom_config.ports': expect.stringMatching(/Hysteria 2 only/),
    });
    expect(
      problems({
        sort: 15,
        customConfig: '{"version":1,"obfs":"xplus","up_mbps":1,"down_mbps":1}',
      }),
    ).toEqual({ 'custom_config.obfs_password': expect.any(String) });
    expect(problems({ sort: 15, customConfig: '{"version":3}' })).toEqual({
      'custom_config.version': expect.stringMatching(/1 .* or 2/),
    });
  });

  it('sort 16 is AnyTLS: TLS and the padding scheme as lines (a list or one text)', () => {
    const scheme = ['stop=8', '0=30-30', '2=400-500,c,500-1000'];
    const listed = read({
      sort: 16,
      server: 'at.example.com',
      customConfig: JSON.stringify({
        padding_scheme: scheme,
        allow_insecure: '1',
      }),
    });
    expect(listed).toMatchObject({
      protocol: 'anytls',
      port: 443,
      paddingScheme: scheme,
      tls: { type: 'tls', serverName: 'at.example.com', allowInsecure: true },
    });
    expect(
      read({
        sort: 16,
        customConfig: JSON.stringify({ padding_scheme: scheme.join('\n') }),
      }),
    ).toMatchObject({ paddingScheme: scheme });
    expect(read({ sort: 16 })).not.toHaveProperty('paddingScheme');
    expect(clientCredentials(listed, USER).password).toBe(UUID);
    for (const bad of [['stop=8', 7], 'not a scheme', { stop: 8 }])
      expect(
        problems({
          sort: 16,
          customConfig: JSON.stringify({ padding_scheme: bad }),
        }),
      ).toEqual({ 'custom_config.padding_scheme': expect.any(String) });
  });

  it('sort 2 TUIC v5 defaults', () => {
    expect(
      read({ sort: 2, server: 'tuic.example.com', customConfig: {} }),
    ).toMatchObject({
      protocol: 'tuic',
      congestionControl: 'bbr',
      udpRelayMode: 'native',
      tls: { serverName: 'tuic.example.com', alpn: ['h3'] },
    });
  });

  it('IPv6 addresses are kept without brackets', () => {
    expect(read({ server: '[2001:db8::1]' }).address).toBe('2001:db8::1');
    expect(read({ server: '2001:db8::1' }).address).toBe('2001:db8::1');
  });

  it('unknown sorts, bad JSON, bad ports and bad networks are refused with field errors', () => {
    expect(problems({ sort: 5 })).toHaveProperty('sort');
    expect(problems({ customConfig: '{oops' })).toHaveProperty('custom_config');
    expect(
      problems({ sort: 11, customConfig: { offset_port_user: '99999' } }),
    ).toHaveProperty(['custom_config.offset_port_user']);
    expect(
      problems({ sort: 11, customConfig: { network: 'quic' } }),
    ).toHaveProperty(['custom_config.network']);
    expect(problems({ server: 'bad host!' })).toHaveProperty('server');
  });
});

describe('readNodeProtocol: agent routing rules (custom_config.routes)', () => {
  it('no routes: no routes key at all (UniProxy omits them)', () => {
    expect(read({ sort: 11 })).not.toHaveProperty('routes');
  });

  it('reads block and dns rules; a comma-separated match is split; ids default to the position', () => {
    const node = read({
      sort: 14,
      customConfig: {
        routes: [
          {
            match: ['regexp:(.*\\.|)ads\\.example$', 'protocol:bittorrent'],
            action: 'block',
          },
          {
            id: 9,
            match: 'netflix.com, nflxvideo.net',
            action: 'dns',
            action_value: '1.1.1.1',
          },
        ],
      },
    });
    expect(node.routes).toEqual([
      {
        id: 1,
        match: ['regexp:(.*\\.|)ads\\.example$', 'protocol:bittorrent'],
        action: 'block',
      },
      {
        id: 9,
        match: ['netflix.com', 'nflxvideo.net'],
        action: 'dns',
        actionValue: '1.1.1.1',
      },
    ]);
  });

  it('refuses what crashes an agent: empty or non-string match, unknown action, dns without server', () => {
    expect(
      problems({
        sort: 11,
        customConfig: {
          routes: [
            { match: [], action: 'block' },
            { match: ['a', 3], action: 'block' },
            { match: ['a'], action: 'hijack' },
            { match: ['a'], action: 'dns' },
            'block',
          ],
        },
      }),
    ).toEqual({
      'custom_config.routes[0].match': expect.stringContaining('non-empty'),
      'custom_config.routes[1].match':
        expect.stringContaining('list of strings'),
      'custom_config.routes[2].action': expect.stringContaining('block, dns'),
      'custom_config.routes[3].action_value':
        expect.stringContaining('DNS server'),
      'custom_config.routes[4]': expect.stringContaining('must be an object'),
    });
    expect(problems({ sort: 11, customConfig: { routes: 'block' } })).toEqual({
      'custom_config.routes': expect.stringContaining('must be a list'),
    });
  });
});

describe('readNodeProtocol (seed origin query form in server)', () => {
  it('reads add/port/net/host/path/tls/sni', () => {
    const node = read({
      sort: 11,
      server:
        'add=us1.example.com&port=443&net=ws&host=cdn.example.com&path=/ws&tls=tls&sni=us1.example.com',
    });
    expect(node).toMatchObject({
      protocol: 'vmess',
      address: 'us1.example.com',
      port: 443,
      transport: { network: 'ws', path: '/ws', host: 'cdn.example.com' },
      security: { type: 'tls', serverName: 'us1.example.com' },
    });
  });

  it('VLESS grpc with serviceName and flow-less TLS; custom_config wins over the query', () => {
    const node = read({
      sort: 13,
      server: 'add=v.example.com&port=8443&net=grpc&serviceName=svc&tls=tls',
      customConfig: { offset_port_user: '9443' },
    });
    expect(node).toMatchObject({
      protocol: 'vless',
      port: 9443,
      transport: { network: 'grpc', serviceName: 'svc' },
    });
  });
});
