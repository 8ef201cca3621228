import { base64 } from './format-helpers.js';
import type { ProfileInput, RenderedProfile } from './profile.js';
import { uriLinks } from './uri-links.js';

const TEXT = 'text/plain; charset=utf-8';

/**
 * The base64 URI list (v2rayN, v2rayNG, Shadowrocket, NekoBox…): Xboard's General body, lines
 * joined by CRLF with a trailing CRLF, standard padded base64.
 */
export function renderV2ray(input: ProfileInput): RenderedProfile {
  const lines = uriLinks(input.entries);
  return {
    body: base64(lines.map((line) => `${line}\r\n`).join('')),
    contentType: TEXT,
    extension: 'txt',
  };
}

/** The seed origin's `/link/:token` body: the same links joined by `\n` (SPanel's LinkController). */
export function renderSeedLinks(input: ProfileInput): RenderedProfile {
  return {
    body: base64(uriLinks(input.entries).join('\n')),
    contentType: TEXT,
    extension: 'txt',
  };
}
