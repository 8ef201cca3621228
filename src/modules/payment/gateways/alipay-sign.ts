import {
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  KeyObject,
} from 'node:crypto';

/**
 * A key as operators paste it from Alipay's console: a PEM block, or the bare base64 body
 * (Alipay's key tool prints PKCS#8 private keys, older guides PKCS#1; public keys are SPKI).
 */
export function alipayPrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return createPrivateKey(trimmed);
  const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

export function alipayPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return createPublicKey(trimmed);
  const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/**
 * Alipay's string to sign: the parameters but `sign` (and, for a notify, `sign_type`) and
 * empty values, sorted by key, `k=v` joined with `&`, values as sent (not URL-encoded).
 */
export function alipaySignContent(
  params: Record<string, string>,
  exclude: readonly string[],
): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** RSA2: SHA256withRSA, base64. */
export function rsa2Sign(content: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64');
}

export function rsa2Verify(
  content: string,
  signature: string,
  key: KeyObject,
): boolean {
  if (!signature) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(content, 'utf8')
      .verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

/**
 * The exact text of `"key": {...}` in a JSON document: Alipay signs the response node as it
 * was written, so it is verified on these bytes, not on a re-serialisation.
 */
export function jsonMemberText(json: string, key: string): string | null {
  const marker = `"${key}"`;
  let i = json.indexOf(marker);
  if (i < 0) return null;
  i = json.indexOf(':', i + marker.length);
  if (i < 0) return null;
  i++;
  while (/\s/.test(json[i] ?? '')) i++;
  if (json[i] !== '{') return null;
  let depth = 0;
  let inString = false;
  for (let j = i; j < json.length; j++) {
    const c = json[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return json.slice(i, j + 1);
  }
  return null;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, as the OpenAPI `timestamp` wants it. */
export function alipayTimestamp(now: Date = new Date()): string {
  const t = new Date(now.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ` +
    `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`
  );
}
