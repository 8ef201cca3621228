import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import type { ProfileEntry } from './profile.js';
import { renderV2rayJson } from './v2ray-json.js';

/** Debian's v2ray 4.34 (`.ci/run` installs it); absent means a broken machine, not a skip. */
const V2RAY = '/usr/bin/v2ray';

type Outbound = {
  tag: string;
  protocol: string;
  settings: Record<string, unknown>;
  streamSettings?: Record<string, unknown>;
};
type Config = {
  inbounds: { tag: string; listen: string; port: number; protocol: string }[];
  outbounds: Outbound[];
  routing: { rules: { outboundTag: string }[] };
};

function v2rayTest(body: string): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'panel-v2ray-json-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, body);
  return new Promise((resolve) => {
    execFile(
      V2RAY,
      ['-test', '-config', file],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        const code = error
          ? typeof error.code === 'number'
            ? error.code
            : -1
          : 0;
        resolve({
          code,
          output: `${stdout}${stderr}${error && code === -1 ? error.message : ''}`,
        });
      },
    );
  });
}

const ALL_ROWS = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];
const allEntries = (): ProfileEntry[] => ALL_ROWS.map((r) => entry(r));

/** vmess ws+tls (V5), vmess tcp, vless tls, trojan (V8), ss aes-256-gcm (V1), and more v2ray 4.x shapes. */
const V2RAY_CORE_ROWS = [
  VECTOR_ROWS.V5,
  EXTRA_ROWS.vmessTcp,
  EXTRA_ROWS.vlessTls,
  VECTOR_ROWS.V8,
  VECTOR_ROWS.V1,
  EXTRA_ROWS.vmessHttpHeader,
  EXTRA_ROWS.vlessWsTls,
  EXTRA_ROWS.trojanWs,
];

const parsed = (entries: ProfileEntry[], core: 'xray' | 'v2ray' = 'xray') =>
  JSON.parse(renderV2rayJson(profile(entries), { core }).body) as Config;
const byTag = (config: Config, tag: string) =>
  config.outbounds.find((o) => o.tag === tag);

describe('v2ray-json', () => {
  it(`is accepted by the real v2ray (${V2RAY} -test): vmess ws+tls, vmess tcp, vless tls, trojan, ss aes-256-gcm`, async () => {
    expect({ v2ray: V2RAY, installed: existsSync(V2RAY) }).toEqual({
      v2ray: V2RAY,
      installed: true,
    });
    const entries = V2RAY_CORE_ROWS.map((r) => entry(r));
    const body = renderV2rayJson(profile(entries)).body;
    expect(parsed(entries).outbounds).toHaveLength(entries.length + 2);
    const result = await v2rayTest(body);
    expect(result).toEqual({
      code: 0,
      output: expect.stringContaining('Configuration OK') as string,
    });
  });

  it('the v2ray-core variant of the whole profile is accepted too (Xray-only entries left out)', async () => {
    const body = renderV2rayJson(profile(allEntries()), { core: 'v2ray' }).body;
    const result = await v2rayTest(body);
    expect(result).toEqual({
      code: 0,
      output: expect.stringContaining('Configuration OK') as string,
    });
  });

  it('the real v2ray can fail this test: it rejects the Xray syntax for Shadowsocks 2022', async () => {
    const body = renderV2rayJson(profile([entry(VECTOR_ROWS.V2)])).body;
    const result = await v2rayTest(body);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'unknown cipher method: 2022-blake3-aes-128-gcm',
    );
  });

  it('has SOCKS 10808 and HTTP 10809 on loopback, the first proxy first, then direct and block', () => {
    const config = parsed(allEntries());
    expect(config.inbounds.map((i) => [i.protocol, i.listen, i.port])).toEqual([
      ['socks', '127.0.0.1', 10808],
      ['http', '127.0.0.1', 10809],
    ]);
    expect(config.outbounds[0].tag).toBe('HK 01');
    expect(config.outbounds.slice(-2).map((o) => [o.tag, o.protocol])).toEqual([
      ['direct', 'freedom'],
      ['block', 'blackhole'],
    ]);
    expect(config.routing.rules.map((r) => r.outboundTag)).toEqual(['direct']);
  });

  it('writes Reality, Vision, 2022, grpc and httpupgrade in Xray syntax', () => {
    const config = parsed(allEntries());
    expect(byTag(config, 'SG Reality')).toEqual({
      tag: 'SG Reality',
      protocol: 'vless',
      settings: {
        vnext: [
          {
            address: '203.0.113.10',
            port: 443,
            users: [
              {
                id: expect.any(String),
                encryption: 'none',
                flow: 'xtls-rprx-vision',
              },
            ],
          },
        ],
      },
      streamSettings: {
        network: 'tcp',
        security: 'reality',
        realitySettings: {
          serverName: 'www.microsoft.com',
          fingerprint: 'chrome',
          publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
          shortId: '6ba85179e30d4fc2',
          spiderX: '/',
        },
      },
    });
    expect(byTag(config, 'JP SS2022')?.settings).toEqual({
      servers: [
        {
          address: 'jp1.example.com',
          port: 8389,
          method: '2022-blake3-aes-128-gcm',
          password: 'MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
        },
      ],
    });
    expect(byTag(config, 'VLESS gRPC')?.streamSettings).toMatchObject({
      network: 'grpc',
      grpcSettings: { serviceName: 'svc', multiMode: false },
    });
    expect(byTag(config, 'VMess HTTPUpgrade')?.streamSettings).toMatchObject({
      network: 'httpupgrade',
      httpupgradeSettings: { path: '/up', host: 'cdn.example.com' },
    });
    expect(byTag(config, 'US 01')?.streamSettings).toEqual({
      network: 'ws',
      wsSettings: { path: '/ws', headers: { Host: 'cdn.example.com' } },
      security: 'tls',
      tlsSettings: { serverName: 'us1.example.com' },
    });
  });

  it('leaves out hysteria (both versions), tuic, anytls, h2 (current Xray refuses it), SIP003 plugins and stream ciphers', () => {
    const left = parsed(allEntries()).outbounds.map((o) => o.tag);
    for (const gone of [
      'HY2 01',
      'HY2 hop',
      'HY1 01',
      'AnyTLS 01',
      'TUIC 01',
      'VMess H2',
      'SS obfs',
      'SS v2ray-plugin',
    ]) {
      expect(left).not.toContain(gone);
    }
    const rc4 = entry(VECTOR_ROWS.V1, {
      id: 1,
      uuid: 'u',
      passwd: 'p',
      port: 1,
      method: 'rc4-md5',
    });
    expect(parsed([rc4]).outbounds.map((o) => o.tag)).toEqual([
      'direct',
      'block',
    ]);
  });

  it('the v2ray-core variant also leaves out Reality, Vision, 2022, grpc and httpupgrade', () => {
    const left = parsed(allEntries(), 'v2ray').outbounds.map((o) => o.tag);
    for (const gone of [
      'SG Reality',
      'JP SS2022',
      'SS2022 256',
      'VLESS gRPC',
      'VMess gRPC',
      'Trojan gRPC',
      'VMess HTTPUpgrade',
    ]) {
      expect(left).not.toContain(gone);
    }
    expect(left).toEqual(
      expect.arrayContaining([
        'HK 01',
        'US 01',
        'DE Trojan',
        'VLESS TLS',
        'VMess TCP',
      ]),
    );
  });

  it('never leaks the Reality private key', () => {
    expect(renderV2rayJson(profile(allEntries())).body).not.toContain(
      'agent-only-private-key',
    );
  });
});
