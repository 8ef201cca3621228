import type { NodeProblems } from './node-protocol.js';

/**
 * Tolerant typed reads of one node's settings (an adopted `custom_config` holds `"443"` or
 * `443`, `"1"` or `true`), recording a problem per field instead of throwing, so an admin sees
 * every mistake at once and a consumer never gets a half-read node.
 */
export class ConfigFields {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly prefix = 'custom_config.',
    /** Shared with nested readers, so one map holds every problem. */
    readonly problems: NodeProblems = {},
  ) {}

  has(key: string): boolean {
    const v = this.values[key];
    return v !== undefined && v !== null && v !== '';
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  problem(key: string, message: string): void {
    this.problems[`${this.prefix}${key}`] ??= message;
  }

  /** The first present key's value as a string (numbers accepted). */
  str(...keys: string[]): string | undefined {
    for (const key of keys) {
      const v = this.values[key];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      this.problem(key, `${key} must be a string`);
      return undefined;
    }
    return undefined;
  }

  /** `true`/`"1"`/`1`/`"true"` → true; absent → fallback. */
  bool(fallback: boolean, ...keys: string[]): boolean {
    for (const key of keys) {
      const v = this.values[key];
      if (v === undefined || v === null || v === '') continue;
      if (v === true || v === 1 || v === '1' || v === 'true') return true;
      if (v === false || v === 0 || v === '0' || v === 'false') return false;
      this.problem(key, `${key} must be true/false or "1"/"0"`);
      return fallback;
    }
    return fallback;
  }

  /** A TCP/UDP port 1–65535 from the first present key. */
  port(...keys: string[]): number | undefined {
    for (const key of keys) {
      if (!this.has(key)) continue;
      const n = Number(this.values[key]);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        this.problem(key, `${key} must be a port number 1-65535`);
        return undefined;
      }
      return n;
    }
    return undefined;
  }

  /** A non-negative number (bandwidth, Mbps). */
  number(...keys: string[]): number | undefined {
    for (const key of keys) {
      if (!this.has(key)) continue;
      const n = Number(this.values[key]);
      if (!Number.isFinite(n) || n < 0) {
        this.problem(key, `${key} must be a non-negative number`);
        return undefined;
      }
      return n;
    }
    return undefined;
  }

  /** A nested object (stored as an object or as JSON text). */
  obj(...keys: string[]): ConfigFields | undefined {
    for (const key of keys) {
      const v = this.values[key];
      if (v === undefined || v === null || v === '') continue;
      const parsed = typeof v === 'string' ? parseJsonObject(v) : v;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return new ConfigFields(
          parsed as Record<string, unknown>,
          `${this.prefix}${key}.`,
          this.problems,
        );
      }
      this.problem(key, `${key} must be an object`);
      return undefined;
    }
    return undefined;
  }

  /** A list of strings (a JSON array, or a comma-separated string). */
  list(...keys: string[]): string[] | undefined {
    for (const key of keys) {
      const v = this.values[key];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v === 'string')
        return v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
        return v as string[];
      this.problem(key, `${key} must be a list of strings`);
      return undefined;
    }
    return undefined;
  }
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
