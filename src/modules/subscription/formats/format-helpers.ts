import type { ProfileEntry } from './profile.js';

/** PHP's rawurlencode (RFC 3986): also escapes the `!'()*` that encodeURIComponent leaves. */
export function rawUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** URL-safe base64 without padding (SIP002 userinfo as Xboard writes it). */
export function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * One display name per entry, unique within the profile and distinct from `reserved` (group
 * and outbound tags): mihomo refuses a duplicate proxy name and sing-box a duplicate tag.
 */
export function uniqueNames(
  entries: readonly ProfileEntry[],
  reserved: readonly string[] = [],
): string[] {
  const taken = new Set(reserved);
  return entries.map((entry) => {
    const base = entry.name.trim() || `node-${entry.node.id}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} ${n}`;
    taken.add(name);
    return name;
  });
}

/** SIP003 `k=v;flag;k=v` plugin options (`\;` escapes a semicolon) as a map; flags are true. */
export function parsePluginOptions(
  options: string,
): Record<string, string | true> {
  const parsed: Record<string, string | true> = {};
  for (const part of options.split(/(?<!\\);/)) {
    const item = part.replace(/\\;/g, ';').trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) parsed[item] = true;
    else parsed[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return parsed;
}

/** SIP003 names of the simple-obfs client. */
export function isObfsPlugin(name: string): boolean {
  return name === 'obfs-local' || name === 'simple-obfs' || name === 'obfs';
}

/** The URL clients probe for url-test groups (HTTP 204, reachable nearly everywhere). */
export const URL_TEST_PROBE = 'https://www.gstatic.com/generate_204';
