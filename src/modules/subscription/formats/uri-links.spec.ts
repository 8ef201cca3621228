import {
  EXTRA_ROWS,
  UUID,
  USER,
  VECTOR_ROWS,
  entry,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import { linkFields } from '../../../../test/fixtures/subscription/share-links.js';
import { uriLink } from './uri-links.js';

/** The research vectors (`shared/research/subscriptions.md` §1.7), verbatim. */
const V1 =
  'ss://YWVzLTI1Ni1nY206M2I4ZTRiNWMtMWMxZi00YTU1LTljNmItMmYxZjBkN2M5YTEw@hk1.example.com:8388#HK%2001';
const V2 =
  'ss://MjAyMi1ibGFrZTMtYWVzLTEyOC1nY206TWpRNU1qQmtaV05tT0RObU5qazJNQT09Ok0ySTRaVFJpTldNdE1XTXhaaTAwWVE9PQ@jp1.example.com:8389#JP%20SS2022';
const V5 =
  'vmess://eyJ2IjoiMiIsInBzIjoiVVMgMDEiLCJhZGQiOiJ1czEuZXhhbXBsZS5jb20iLCJwb3J0IjoiNDQzIiwiaWQiOiIzYjhlNGI1Yy0xYzFmLTRhNTUtOWM2Yi0yZjFmMGQ3YzlhMTAiLCJhaWQiOiIwIiwibmV0Ijoid3MiLCJ0eXBlIjoid3MiLCJob3N0IjoiY2RuLmV4YW1wbGUuY29tIiwicGF0aCI6Ilwvd3MiLCJ0bHMiOiJ0bHMiLCJzbmkiOiJ1czEuZXhhbXBsZS5jb20ifQ==';
const V6 = `vless://${UUID}@203.0.113.10:443?mode=multi&security=reality&encryption=none&type=tcp&flow=xtls-rprx-vision&pbk=Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw&sid=6ba85179e30d4fc2&sni=www.microsoft.com&servername=www.microsoft.com&spx=%2F&fp=chrome#SG+Reality`;
const V7 = `vless://${UUID}@203.0.113.10:443?encryption=none&flow=xtls-rprx-vision&type=tcp&security=reality&sni=www.microsoft.com&fp=chrome&pbk=Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw&sid=6ba85179e30d4fc2#SG%20Reality`;
const V8 = `trojan://${UUID}@de1.example.com:443?allowInsecure=0&peer=de1.example.com&sni=de1.example.com#DE%20Trojan`;
const V9 =
  'trojan://s3cr3t%2Fpass%2B1@de1.example.com:443?type=tcp&security=tls&sni=de1.example.com#DE%20Trojan';
const V10 = `hysteria2://${UUID}@hy.example.com:443?sni=hy.example.com&insecure=0&obfs=salamander&obfs-password=obfspass#HY2%2001`;
const V12 = `tuic://${UUID}:${UUID}@tuic.example.com:443?sni=tuic.example.com&alpn=h3&congestion_control=bbr&udp-relay-mode=native#TUIC%2001`;

function link(source: Parameters<typeof entry>[0], user = USER): string {
  const uri = uriLink(entry(source, user));
  if (uri === null) throw new Error('no link');
  return uri;
}

function withoutParams(
  fields: ReturnType<typeof linkFields>,
  ...keys: string[]
): ReturnType<typeof linkFields> {
  const params = { ...fields.params };
  for (const key of keys) delete params[key];
  return { ...fields, params };
}

describe('share URIs from the node protocol model (research vectors)', () => {
  it('V1: SIP002 ss with URL-safe unpadded userinfo', () => {
    const mine = linkFields(link(VECTOR_ROWS.V1));
    expect(mine).toEqual(linkFields(V1));
    expect(mine.userinfo).toBe(`aes-256-gcm:${UUID}`);
  });

  it('V2: Shadowsocks 2022 with <server key>:<user key> as the password', () => {
    const mine = linkFields(link(VECTOR_ROWS.V2));
    expect(mine).toEqual(linkFields(V2));
    expect(mine.userinfo).toBe(
      '2022-blake3-aes-128-gcm:MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
    );
  });

  it('V5: vmess ws+tls, compared as decoded v2rayN JSON', () => {
    expect(linkFields(link(VECTOR_ROWS.V5)).vmess).toEqual(
      linkFields(V5).vmess,
    );
  });

  it('V6/V7: vless Reality Vision carries every Xboard and Remnawave field', () => {
    const mine = linkFields(link(VECTOR_ROWS.V6));
    // Xboard's extras: `mode` is its grpc key sent on every transport, `servername` a copy of sni.
    expect(mine).toEqual(withoutParams(linkFields(V6), 'mode', 'servername'));
    expect(mine).toMatchObject(linkFields(V7));
    expect(mine.params).not.toHaveProperty('privateKey');
    expect(link(VECTOR_ROWS.V6)).not.toContain('agent-only-private-key');
  });

  it('V8/V9: trojan has the Xboard and Remnawave keys; the password is percent-encoded', () => {
    const mine = linkFields(link(VECTOR_ROWS.V8));
    const v8 = linkFields(V8);
    const v9 = linkFields(V9);
    expect(mine).toEqual({ ...v8, params: { ...v8.params, ...v9.params } });
    const odd = link(VECTOR_ROWS.V8, { ...USER, uuid: 's3cr3t/pass+1' });
    expect(odd.startsWith('trojan://s3cr3t%2Fpass%2B1@')).toBe(true);
    expect(linkFields(odd)).toEqual({ ...mine, username: 's3cr3t/pass+1' });
    expect(linkFields(odd)).toMatchObject(v9);
  });

  it('V10: hysteria2 with salamander obfs', () => {
    expect(linkFields(link(VECTOR_ROWS.V10))).toEqual(linkFields(V10));
  });

  it('V12: tuic v5 with uuid:password, alpn, congestion control and relay mode', () => {
    expect(linkFields(link(VECTOR_ROWS.V12))).toEqual(linkFields(V12));
  });
});

describe('share URIs beyond the vectors', () => {
  it('Hysteria v1: its own scheme, auth in the query, peer, bandwidth, alpn hysteria, XPlus', () => {
    const uri = link(EXTRA_ROWS.hysteriaV1);
    expect(uri).toBe(
      `hysteria://hy1.example.com:443?protocol=udp&auth=${UUID}&peer=hy1.example.com&insecure=0&upmbps=100&downmbps=500&alpn=hysteria&obfs=xplus&obfsParam=xplus-secret#HY1%2001`,
    );
    expect(linkFields(uri)).toMatchObject({
      scheme: 'hysteria',
      username: '',
      host: 'hy1.example.com',
      port: '443',
      name: 'HY1 01',
    });
  });

  it("AnyTLS: Xboard's anytls://<uuid>@host:port?sni&insecure", () => {
    expect(linkFields(link(EXTRA_ROWS.anytls))).toEqual(
      linkFields(
        `anytls://${UUID}@at.example.com:8443?sni=at.example.com&insecure=0#AnyTLS%2001`,
      ),
    );
  });

  it('IPv6 goes in brackets; per-user-port Shadowsocks uses the user port and method', () => {
    const uri = link(EXTRA_ROWS.ssPerUserPortV6);
    expect(uri).toContain('@[2001:db8::1]:10007#');
    expect(linkFields(uri)).toMatchObject({
      host: '[2001:db8::1]',
      port: '10007',
      userinfo: `aes-256-gcm:${UUID}`,
      name: 'SS IPv6',
    });
  });

  it('a SIP003 plugin goes in /?plugin=<name;opts>', () => {
    expect(linkFields(link(EXTRA_ROWS.ssObfs))).toMatchObject({
      pathname: '/',
      params: { plugin: 'obfs-local;obfs=http;obfs-host=www.bing.com' },
    });
  });

  it('vmess tcp, HTTP header, grpc, httpupgrade and h2 in the v2rayN JSON', () => {
    const json = (name: keyof typeof EXTRA_ROWS) =>
      linkFields(link(EXTRA_ROWS[name])).vmess;
    expect(json('vmessTcp')).toMatchObject({
      add: 'vm.example.com',
      port: '10086',
      net: 'tcp',
      type: 'none',
      tls: '',
    });
    expect(json('vmessHttpHeader')).toMatchObject({
      net: 'tcp',
      type: 'http',
      path: '/index',
      host: 'www.baidu.com',
    });
    expect(json('vmessGrpcTls')).toMatchObject({
      net: 'grpc',
      type: 'grpc',
      path: 'vmgrpc',
      tls: 'tls',
      sni: 'grpc.example.com',
    });
    expect(json('vmessHttpUpgrade')).toMatchObject({
      net: 'httpupgrade',
      path: '/up',
      host: 'cdn.example.com',
    });
    expect(json('vmessH2')).toMatchObject({ net: 'h2', path: '/h2' });
  });

  it('vless grpc carries serviceName and mode; ws+tls carries path, host, sni, fp', () => {
    expect(linkFields(link(EXTRA_ROWS.vlessGrpc)).params).toEqual({
      encryption: 'none',
      type: 'grpc',
      serviceName: 'svc',
      mode: 'gun',
      security: 'tls',
      sni: 'vg.example.com',
    });
    expect(linkFields(link(EXTRA_ROWS.vlessWsTls)).params).toEqual({
      encryption: 'none',
      type: 'ws',
      path: '/vl',
      host: 'vl.example.com',
      security: 'tls',
      sni: 'vl.example.com',
      fp: 'firefox',
    });
  });

  it('hysteria2 port hopping is mport; allow_insecure is insecure=1', () => {
    expect(linkFields(link(EXTRA_ROWS.hysteria2Hopping)).params).toMatchObject({
      insecure: '1',
      mport: '20000-30000,40000',
    });
  });

  it('names are percent-encoded after #', () => {
    const named = { ...VECTOR_ROWS.V8, name: '香港 #1 & 50%' };
    const uri = link(named);
    expect(uri.split('#')[1]).toBe('%E9%A6%99%E6%B8%AF%20%231%20%26%2050%25');
    expect(linkFields(uri).name).toBe('香港 #1 & 50%');
  });
});
