import { URL_TEST_PROBE, uniqueNames } from './format-helpers.js';
import type { ProfileInput, RenderedProfile } from './profile.js';
import { type SingboxOutbound, singboxOutbound } from './singbox-outbounds.js';

const AUTO_TAG = 'auto';
const DIRECT_TAG = 'direct';

/**
 * A sing-box client config for 1.11+: a mixed inbound, one outbound per entry, a selector
 * named after the site (default: the urltest group) and `route.final` to it. No legacy
 * `block`/`dns` outbounds (removed in 1.13) and no DNS section, so the platform resolver is used.
 */
export function renderSingbox(input: ProfileInput): RenderedProfile {
  const selectTag = input.title.trim() || 'Proxy';
  const tags = uniqueNames(input.entries, [selectTag, AUTO_TAG, DIRECT_TAG]);
  const proxies = input.entries
    .map((entry, i) => singboxOutbound(entry, tags[i]))
    .filter((o): o is SingboxOutbound => o !== null);
  const proxyTags = proxies.map((o) => String(o.tag));
  const config = {
    log: { level: 'info', timestamp: true },
    inbounds: [
      {
        type: 'mixed',
        tag: 'mixed-in',
        listen: '127.0.0.1',
        listen_port: 2080,
      },
    ],
    outbounds: [
      ...groups(selectTag, proxyTags),
      ...proxies,
      { type: 'direct', tag: DIRECT_TAG },
    ],
    route: {
      rules: [{ ip_is_private: true, outbound: DIRECT_TAG }],
      final: selectTag,
      auto_detect_interface: true,
    },
  };
  return {
    body: JSON.stringify(config, null, 2),
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
  };
}

/** sing-box refuses a selector or urltest without members, so an empty profile selects direct. */
function groups(selectTag: string, tags: string[]): SingboxOutbound[] {
  if (tags.length === 0) {
    return [{ type: 'selector', tag: selectTag, outbounds: [DIRECT_TAG] }];
  }
  return [
    {
      type: 'selector',
      tag: selectTag,
      outbounds: [AUTO_TAG, ...tags],
      default: AUTO_TAG,
    },
    {
      type: 'urltest',
      tag: AUTO_TAG,
      outbounds: tags,
      url: URL_TEST_PROBE,
      interval: '3m',
      tolerance: 50,
    },
  ];
}
