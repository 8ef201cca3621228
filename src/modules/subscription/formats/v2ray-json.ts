import { uniqueNames } from './format-helpers.js';
import type { ProfileInput, RenderedProfile } from './profile.js';
import {
  type V2rayCore,
  type V2rayOutbound,
  v2rayOutbound,
} from './v2ray-json-outbounds.js';

export type { V2rayCore } from './v2ray-json-outbounds.js';

export interface V2rayJsonOptions {
  /** `xray` (default): every entry Xray carries; `v2ray`: only what v2ray-core 4.x runs. */
  core: V2rayCore;
}

const SOCKS_PORT = 10808;
const HTTP_PORT = 10809;
const RESERVED_TAGS = ['socks-in', 'http-in', 'direct', 'block'];

/** Private and loopback ranges go direct (CIDRs, so no geoip.dat is needed to load). */
const PRIVATE_CIDRS = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/**
 * A complete v2ray/Xray client config (v4 JSON): SOCKS on 127.0.0.1:10808, HTTP on :10809,
 * one outbound per entry (the first is the default), direct and block. Xray syntax for
 * Reality/Vision/2022; vmess, vless+tls, trojan and AEAD Shadowsocks stay valid for v2ray 4.x.
 */
export function renderV2rayJson(
  input: ProfileInput,
  options: V2rayJsonOptions = { core: 'xray' },
): RenderedProfile {
  const tags = uniqueNames(input.entries, RESERVED_TAGS);
  const proxies = input.entries
    .map((entry, i) => v2rayOutbound(entry, tags[i], options.core))
    .filter((o): o is V2rayOutbound => o !== null);
  const config = {
    log: { loglevel: 'warning' },
    inbounds: [
      {
        tag: 'socks-in',
        listen: '127.0.0.1',
        port: SOCKS_PORT,
        protocol: 'socks',
        settings: { auth: 'noauth', udp: true },
        sniffing: { enabled: true, destOverride: ['http', 'tls'] },
      },
      {
        tag: 'http-in',
        listen: '127.0.0.1',
        port: HTTP_PORT,
        protocol: 'http',
        settings: {},
      },
    ],
    outbounds: [
      ...proxies,
      { tag: 'direct', protocol: 'freedom', settings: {} },
      { tag: 'block', protocol: 'blackhole', settings: {} },
    ],
    routing: {
      domainStrategy: 'AsIs',
      rules: [{ type: 'field', ip: PRIVATE_CIDRS, outboundTag: 'direct' }],
    },
  };
  return {
    body: JSON.stringify(config, null, 2),
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
  };
}
