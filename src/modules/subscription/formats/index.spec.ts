import { parse } from 'yaml';
import {
  EXTRA_ROWS,
  USER,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import { bodyLines } from '../../../../test/fixtures/subscription/share-links.js';
import {
  FORMAT_NAMES,
  RENDERERS,
  renderLegacyClash,
  renderSeedLinkList,
  renderV2rayCoreJson,
} from './index.js';

const input = () =>
  profile(
    [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)].map((r) =>
      entry(r),
    ),
  );

describe('RENDERERS', () => {
  it.each([
    ['clash', 'text/yaml; charset=utf-8', 'yaml'],
    ['singbox', 'application/json; charset=utf-8', 'json'],
    ['v2ray', 'text/plain; charset=utf-8', 'txt'],
    ['sip008', 'application/json; charset=utf-8', 'json'],
    ['v2ray-json', 'application/json; charset=utf-8', 'json'],
  ] as const)(
    '%s renders a non-empty %s body',
    (format, contentType, extension) => {
      const out = RENDERERS[format](input());
      expect(out).toMatchObject({ contentType, extension });
      expect(out.body.length).toBeGreaterThan(0);
    },
  );

  it('covers every format name, and is pure: the same input renders the same bytes', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...FORMAT_NAMES].sort());
    for (const format of FORMAT_NAMES) {
      expect(RENDERERS[format](input()).body).toBe(
        RENDERERS[format](input()).body,
      );
    }
  });

  it('the variants differ from their main format where they must', () => {
    expect(renderLegacyClash(input()).body).not.toContain('vless');
    expect(renderSeedLinkList(input()).body).not.toBe(
      RENDERERS.v2ray(input()).body,
    );
    expect(renderV2rayCoreJson(input()).body).not.toContain('reality');
  });
});

describe('Shadowsocks methods a client cannot build are left out (they would fail the profile)', () => {
  const withMethod = (method: string, passwd = USER.passwd) =>
    profile([entry(VECTOR_ROWS.V1, { ...USER, method, passwd })]);
  const counts = (input: ReturnType<typeof withMethod>) => ({
    v2ray: bodyLines(RENDERERS.v2ray(input).body).length,
    sip008: (JSON.parse(RENDERERS.sip008(input).body) as { servers: unknown[] })
      .servers.length,
    clash: (parse(RENDERERS.clash(input).body) as { proxies: unknown[] })
      .proxies.length,
    legacyClash: (
      parse(renderLegacyClash(input).body) as { proxies: unknown[] }
    ).proxies.length,
    singbox: (
      JSON.parse(RENDERERS.singbox(input).body) as {
        outbounds: { type: string }[];
      }
    ).outbounds.filter((o) => o.type === 'shadowsocks').length,
    v2rayJson: (
      JSON.parse(RENDERERS['v2ray-json'](input).body) as {
        outbounds: { protocol: string }[];
      }
    ).outbounds.filter((o) => o.protocol === 'shadowsocks').length,
  });

  it('an AEAD method is in every format', () => {
    expect(counts(withMethod('aes-128-gcm'))).toEqual({
      v2ray: 1,
      sip008: 1,
      clash: 1,
      legacyClash: 1,
      singbox: 1,
      v2rayJson: 1,
    });
  });

  it('a stream cipher is left out of v2ray-json only; an unknown one out of the configs', () => {
    expect(counts(withMethod('aes-256-cfb'))).toEqual({
      v2ray: 1,
      sip008: 1,
      clash: 1,
      legacyClash: 1,
      singbox: 1,
      v2rayJson: 0,
    });
    expect(counts(withMethod('bf-cfb'))).toEqual({
      v2ray: 1,
      sip008: 1,
      clash: 0,
      legacyClash: 0,
      singbox: 0,
      v2rayJson: 0,
    });
  });

  it('a 2022 method on a sort-0 node with a plain passwd is left out everywhere', () => {
    expect(
      counts(withMethod('2022-blake3-aes-128-gcm', 'plain-password')),
    ).toEqual({
      v2ray: 0,
      sip008: 0,
      clash: 0,
      legacyClash: 0,
      singbox: 0,
      v2rayJson: 0,
    });
    const key = Buffer.alloc(16, 1).toString('base64');
    expect(counts(withMethod('2022-blake3-aes-128-gcm', key))).toEqual({
      v2ray: 1,
      sip008: 1,
      clash: 1,
      legacyClash: 0,
      singbox: 1,
      v2rayJson: 1,
    });
  });
});
