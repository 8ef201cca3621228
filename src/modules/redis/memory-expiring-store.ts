import {
  ExpiringStore,
  type MemberAndCount,
  SetAddition,
} from './expiring-store.js';

type Value = string | Set<string>;

interface Entry {
  value: Value;
  expiresAt: number;
}

/** How often, at most, a write sweeps every expired key out. */
const SWEEP_EVERY_MS = 60_000;

/**
 * `ExpiringStore` in process memory (the embedded mode, and a fallback while Redis is down).
 * Reads ignore expired keys; writes sweep them out at most once a minute (amortised O(1)), so
 * keys of deleted users or retired nodes do not stay forever. Reads `Date.now()` on every call.
 */
export class MemoryExpiringStore extends ExpiringStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = Date.now();

  /** The number of keys held, expired ones not yet swept included (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  get(key: string): Promise<string | null> {
    const value = this.live(key, Date.now());
    return Promise.resolve(typeof value === 'string' ? value : null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return Promise.resolve(
      keys.map((k) => {
        const value = this.live(k, now);
        return typeof value === 'string' ? value : null;
      }),
    );
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
    return Promise.resolve();
  }

  deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  setMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    for (const [key, value] of entries) this.put(key, value, ttlMs);
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key, Date.now()) !== undefined) return Promise.resolve(false);
    this.put(key, value, ttlMs);
    return Promise.resolve(true);
  }

  expireIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now || entry.value !== value)
      return Promise.resolve(false);
    entry.expiresAt = now + ttlMs;
    return Promise.resolve(true);
  }

  deleteIfEquals(key: string, value: string): Promise<boolean> {
    if (this.live(key, Date.now()) !== value) return Promise.resolve(false);
    this.entries.delete(key);
    return Promise.resolve(true);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    return Promise.resolve(this.incremented(key, ttlMs));
  }

  addMember(key: string, member: string, ttlMs: number): Promise<SetAddition> {
    return Promise.resolve(this.added(key, member, ttlMs));
  }

  addMemberAndIncrement(
    setKey: string,
    member: string,
    counterKey: string,
    ttlMs: number,
  ): Promise<MemberAndCount> {
    const addition = this.added(setKey, member, ttlMs);
    return Promise.resolve({
      addition,
      count: this.incremented(counterKey, ttlMs),
    });
  }

  private incremented(key: string, ttlMs: number): number {
    const current = this.live(key, Date.now());
    const next = (typeof current === 'string' ? Number(current) : 0) + 1;
    this.put(key, String(next), ttlMs);
    return next;
  }

  private added(key: string, member: string, ttlMs: number): SetAddition {
    const current = this.live(key, Date.now());
    const set = current instanceof Set ? current : new Set<string>();
    const added = !set.has(member);
    set.add(member);
    this.put(key, set, ttlMs);
    return { added, size: set.size };
  }

  /** The unexpired value of `key` (an expired one is dropped on the way). */
  private live(key: string, now: number): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  private put(key: string, value: Value, ttlMs: number): void {
    const now = Date.now();
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    if (now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, entry] of this.entries)
      if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
