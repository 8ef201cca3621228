import { FORMAT_NAMES, type FormatName } from './formats/profile.js';

/**
 * What a subscription answers with: one of the `/sub/:token/:format` formats, the legacy Clash
 * profile plain `clash` clients get (no mihomo-only protocols), or the seed's `/link` list.
 */
export type OutputKind = FormatName | 'clash-legacy' | 'seed-links';

/**
 * User-Agent (or `?flag=`) substrings in the research notes' order (subscriptions §1.8; the table in README "Subscriptions"): the
 * first family with a match wins. sing-box before everything (its UAs mention clash-compatible
 * cores), Stash and the mihomo family before plain `clash` (their UAs contain it), iOS clients
 * that import v2rayN-style lists last. `singbox` also lets `?flag=singbox` name the family.
 */
const FAMILIES: ReadonlyArray<readonly [OutputKind, readonly string[]]> = [
  [
    'singbox',
    ['sing-box', 'singbox', 'sfa', 'sfi', 'sfm', 'sft', 'hiddify', 'karing'],
  ],
  ['clash', ['stash']],
  [
    'clash',
    [
      'mihomo',
      'clash.meta',
      'clash-verge',
      'verge',
      'flclash',
      'clashmetaforandroid',
      'meta',
      'nyanpasu',
    ],
  ],
  ['clash-legacy', ['clash']],
  ['v2ray', ['shadowrocket', 'quantumult', 'surge', 'loon']],
];

/**
 * The output for `GET /sub/:token`: `?flag=` wins over the User-Agent (an exact format name, or
 * matched like a UA); anything unrecognised gets the base64 v2ray list.
 */
export function detectOutput(
  userAgent: string | undefined,
  flag?: string,
): OutputKind {
  const wanted = flag?.trim().toLowerCase();
  if (wanted) {
    if ((FORMAT_NAMES as readonly string[]).includes(wanted))
      return wanted as FormatName;
    return matchFamily(wanted);
  }
  return matchFamily((userAgent ?? '').toLowerCase());
}

function matchFamily(text: string): OutputKind {
  for (const [kind, needles] of FAMILIES)
    if (needles.some((n) => text.includes(n))) return kind;
  return 'v2ray';
}
