import { SS2022_METHODS, ss2022KeyLength } from '../../node/protocol/index.js';
import type { ProfileEntry } from './profile.js';

/**
 * Ciphers a client builds; an unknown one fails the whole profile in mihomo ("proxy N: …")
 * and sing-box, so entries with other methods (an adopted SSPanel user may have `bf-cfb`,
 * `salsa20`, …) are left out. Lists: Dreamacro Clash `transport/shadowsocks/core/cipher.go`,
 * mihomo `docs/config.yaml` (cipher 支持), sing-box `docs/configuration/outbound/shadowsocks.md`.
 */
const CLASSIC = [
  'aes-128-gcm',
  'aes-192-gcm',
  'aes-256-gcm',
  'chacha20-ietf-poly1305',
  'xchacha20-ietf-poly1305',
  'aes-128-cfb',
  'aes-192-cfb',
  'aes-256-cfb',
  'aes-128-ctr',
  'aes-192-ctr',
  'aes-256-ctr',
  'rc4-md5',
  'chacha20-ietf',
  'xchacha20',
];

export const LEGACY_CLASH_CIPHERS: ReadonlySet<string> = new Set(CLASSIC);
export const MIHOMO_CIPHERS: ReadonlySet<string> = new Set([
  ...CLASSIC,
  ...SS2022_METHODS,
]);
export const SINGBOX_CIPHERS: ReadonlySet<string> = new Set([
  ...CLASSIC,
  ...SS2022_METHODS,
  'none',
]);

/**
 * false for a 2022 method whose password is not base64 keys of the method's length (a sort-0
 * node whose user has a 2022 `method` but a plain `passwd`): clients refuse such a key, and
 * mihomo and sing-box then refuse the whole profile.
 */
export function hasUsableKey(method: string, password: string): boolean {
  const ss2022 = SS2022_METHODS.find((m) => m === method);
  if (!ss2022) return true;
  const length = ss2022KeyLength(ss2022);
  return password
    .split(':')
    .every(
      (key) =>
        /^[A-Za-z0-9+/]+={0,2}$/.test(key) &&
        Buffer.from(key, 'base64').length === length,
    );
}

/** The entry's Shadowsocks method when this client (`known`, or any) can use it, else null. */
export function usableMethod(
  entry: ProfileEntry,
  known?: ReadonlySet<string>,
): string | null {
  const { method, password } = entry.credentials;
  if (!method || (known && !known.has(method))) return null;
  return hasUsableKey(method, password) ? method : null;
}
