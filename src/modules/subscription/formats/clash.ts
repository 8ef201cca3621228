import { stringify } from 'yaml';
import { type ClashProxy, clashProxy } from './clash-proxies.js';
import { URL_TEST_PROBE, uniqueNames } from './format-helpers.js';
import type { ProfileInput, RenderedProfile } from './profile.js';

export interface ClashOptions {
  /**
   * true: mihomo / Clash Meta (every protocol the model has); false: Dreamacro's Clash, which
   * only knows ss (no 2022), vmess and trojan without Reality.
   */
  meta: boolean;
}

const AUTO_GROUP = 'Auto';

/** A Clash profile: proxies, a select group named after the site, an url-test group, MATCH. */
export function renderClash(
  input: ProfileInput,
  options: ClashOptions = { meta: true },
): RenderedProfile {
  const selectName = groupName(input.title);
  const reserved = [selectName, AUTO_GROUP, 'DIRECT', 'REJECT', 'GLOBAL'];
  const names = uniqueNames(input.entries, reserved);
  const proxies = input.entries
    .map((entry, i) => clashProxy(entry, names[i], options.meta))
    .filter((proxy): proxy is ClashProxy => proxy !== null);
  const proxyNames = proxies.map((proxy) => String(proxy.name));
  const config = {
    'mixed-port': 7890,
    'allow-lan': false,
    mode: 'rule',
    'log-level': 'info',
    proxies,
    'proxy-groups': proxyGroups(selectName, proxyNames),
    rules: [`MATCH,${selectName}`],
  };
  return {
    // Quoted values: a YAML 1.1 reader (Dreamacro Clash's yaml.v2) would read an IPv6 address
    // such as 1:2:3:4:5:6:7:8 as a base-60 integer, or a name like `no` as a boolean.
    body: stringify(config, {
      lineWidth: 0,
      defaultKeyType: 'PLAIN',
      defaultStringType: 'QUOTE_DOUBLE',
      // A profile repeats no object, so the anchor search finds nothing; skipping it saves
      // ~17% of the stringify, the main cost of a cold Clash fetch (same bytes).
      aliasDuplicateObjects: false,
    }),
    contentType: 'text/yaml; charset=utf-8',
    extension: 'yaml',
  };
}

/** A group with no members fails the whole profile, so an empty profile selects DIRECT. */
function proxyGroups(selectName: string, names: string[]): ClashProxy[] {
  if (names.length === 0) {
    return [{ name: selectName, type: 'select', proxies: ['DIRECT'] }];
  }
  return [
    { name: selectName, type: 'select', proxies: [AUTO_GROUP, ...names] },
    {
      name: AUTO_GROUP,
      type: 'url-test',
      proxies: names,
      url: URL_TEST_PROBE,
      interval: 300,
      tolerance: 50,
    },
  ];
}

/** The rule line is comma-separated (`MATCH,<group>`), so a comma cannot be in the name. */
function groupName(title: string): string {
  return title.replace(/,/g, ' ').trim() || 'Proxy';
}
