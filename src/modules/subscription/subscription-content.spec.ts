import { detectOutput } from './client-detection.js';
import {
  accountState,
  contentDisposition,
  displayName,
  expiryUnix,
  type Subscriber,
  subscriptionUserinfo,
} from './subscription-content.js';
import { linkProtocolsOf, protocolsOf } from './subscription-filters.js';
import { userMayUseNode } from '../node/catalog/index.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const day = (d: number): Date => new Date(NOW.getTime() + d * 86_400_000);

const user = (values: Partial<Subscriber> = {}): Subscriber => ({
  id: 1,
  email: 'a@example.com',
  uuid: '3b8e4b5c-1c1f-4a55-9c6b-2f1f0d7c9a10',
  passwd: 'pw',
  port: 20000,
  method: 'aes-256-gcm',
  classLevel: 1,
  nodeGroup: 2,
  enable: 1,
  switch: 1,
  u: 0,
  d: 0,
  transferEnable: 100,
  classExpire: day(10),
  expireIn: day(20),
  ...values,
});

describe('detectOutput', () => {
  it.each([
    ['sing-box 1.11.0', undefined, 'singbox'],
    ['SFM/1.9.0', undefined, 'singbox'],
    ['Stash/2.4 Clash/1.9', undefined, 'clash'],
    ['mihomo/1.18', undefined, 'clash'],
    ['Clash-Verge/1.7', undefined, 'clash'],
    ['ClashForWindows/0.20', undefined, 'clash-legacy'],
    ['Shadowrocket/2070', undefined, 'v2ray'],
    ['Quantumult%20X', undefined, 'v2ray'],
    [undefined, undefined, 'v2ray'],
    ['mihomo/1.18', 'sip008', 'sip008'],
    ['mihomo/1.18', 'v2ray-json', 'v2ray-json'],
    ['SFA/1.10', 'clash', 'clash'],
    ['SFA/1.10', 'ClashForWindows', 'clash-legacy'],
    ['SFA/1.10', 'unknown-client', 'v2ray'],
    ['SFA/1.10', '  ', 'singbox'],
  ] as const)('UA %p, flag %p → %s', (ua, flag, expected) => {
    expect(detectOutput(ua, flag)).toBe(expected);
  });
});

describe('accountState', () => {
  it.each<[string, Partial<Subscriber>, string]>([
    ['in good standing', {}, 'active'],
    ['disabled', { enable: 0 }, 'disabled'],
    ['switched off', { switch: 0 }, 'disabled'],
    [
      'disabled wins over expired',
      { enable: 0, expireIn: day(-1) },
      'disabled',
    ],
    ['account expired', { expireIn: day(-1) }, 'expired'],
    ['level expired', { classExpire: day(-1) }, 'level-expired'],
    [
      'level 0 ignores class_expire',
      { classLevel: 0, classExpire: day(-1) },
      'active',
    ],
    ['quota reached exactly', { u: 60, d: 40 }, 'over-quota'],
    ['just under quota', { u: 60, d: 39 }, 'active'],
  ])('%s → %s', (_, values, expected) => {
    expect(accountState(user(values), NOW)).toBe(expected);
  });
});

describe('userMayUseNode', () => {
  it.each([
    [{ nodeClass: 0, nodeGroup: 0 }, true],
    [{ nodeClass: 1, nodeGroup: 2 }, true],
    [{ nodeClass: 2, nodeGroup: 2 }, false],
    [{ nodeClass: 0, nodeGroup: 3 }, false],
    [{ nodeClass: 1, nodeGroup: 0 }, true],
  ])('node %p → %p for a level-1 user of group 2', (node, expected) => {
    expect(userMayUseNode({ classLevel: 1, nodeGroup: 2 }, node)).toBe(
      expected,
    );
  });
});

describe('names and headers', () => {
  it.each([
    [1, 'HK 01'],
    [1.5, 'HK 01 [x1.5]'],
    [0.5, 'HK 01 [x0.5]'],
    [2, 'HK 01 [x2]'],
    [0.1 + 0.2, 'HK 01 [x0.3]'],
  ])('rate %p → %p', (rate, expected) => {
    expect(displayName({ name: 'HK 01', trafficRate: rate })).toBe(expected);
  });

  it('expire: the earlier of level and account, level ignored at 0, 0 for 2099', () => {
    expect(expiryUnix(user())).toBe(day(10).getTime() / 1000);
    expect(expiryUnix(user({ classLevel: 0 }))).toBe(day(20).getTime() / 1000);
    expect(
      expiryUnix(
        user({ classLevel: 0, expireIn: new Date('2099-12-31T00:00:00Z') }),
      ),
    ).toBe(0);
  });

  it('subscription-userinfo matches the research vector V16', () => {
    expect(
      subscriptionUserinfo(
        user({
          u: 1073741824,
          d: 2147483648,
          transferEnable: 107374182400,
          classLevel: 0,
          expireIn: new Date(1767225600 * 1000),
        }),
      ),
    ).toBe(
      'upload=1073741824; download=2147483648; total=107374182400; expire=1767225600',
    );
  });

  it('content-disposition percent-encodes the site name (RFC 5987)', () => {
    expect(contentDisposition('Panel', 'yaml')).toBe(
      "attachment; filename*=UTF-8''Panel.yaml",
    );
    expect(contentDisposition("My Panel's 机场", 'txt')).toBe(
      "attachment; filename*=UTF-8''My%20Panel%27s%20%E6%9C%BA%E5%9C%BA.txt",
    );
  });
});

describe('protocol filters', () => {
  it('types: a comma list of model names, unknown names refused', () => {
    expect(protocolsOf(undefined)).toBeNull();
    expect([...(protocolsOf('vless,trojan') ?? [])]).toEqual([
      'vless',
      'trojan',
    ]);
    expect(() => protocolsOf('vless,ssr')).toThrow(
      /Unknown protocol in types: ssr/,
    );
  });

  it('mu: 2 is everything, ss covers both Shadowsocks generations, types narrows', () => {
    expect(linkProtocolsOf('2', undefined)).toBeNull();
    expect([...(linkProtocolsOf('ss', undefined) ?? [])]).toEqual([
      'shadowsocks',
      'shadowsocks2022',
    ]);
    expect([...(linkProtocolsOf('ss', 'shadowsocks2022,vmess') ?? [])]).toEqual(
      ['shadowsocks2022'],
    );
  });
});
