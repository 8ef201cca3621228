/** Whether a member was new to its set, and the set's size after adding it. */
export interface SetAddition {
  added: boolean;
  size: number;
}

/**
 * Keys that live for a while: Redis (shared by every replica) when REDIS_URL is set, process
 * memory otherwise (`MemoryExpiringStore`, which prunes expired keys). The one home of "keep
 * this for N ms" outside the cache-manager store; locks, node snapshots, traffic snapshots and
 * subscription counters go through it. Lifetimes are in milliseconds; Redis errors reach the
 * caller (each decides whether its data is secondary).
 */
export abstract class ExpiringStore {
  /** Resolves once the backing connection can take commands (memory: at once). */
  abstract whenReady(timeoutMs: number): Promise<void>;
  /** The value, null when missing or expired. */
  abstract get(key: string): Promise<string | null>;
  abstract getMany(keys: readonly string[]): Promise<(string | null)[]>;
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Writes every entry with the same lifetime (Redis: one pipeline; any failure throws). */
  abstract setMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void>;
  /** Writes only when the key is absent; true when written (Redis `SET NX PX`). */
  abstract setIfAbsent(
    key: string,
    value: string,
    ttlMs: number,
  ): Promise<boolean>;
  /** Gives the key a new lifetime only while it holds `value`; true when it did. */
  abstract expireIfEquals(
    key: string,
    value: string,
    ttlMs: number,
  ): Promise<boolean>;
  /** Deletes the key only while it holds `value`; true when it did. */
  abstract deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Deletes every key given (missing ones are no error; Redis: one DEL). */
  abstract deleteMany(keys: readonly string[]): Promise<void>;
  /** Adds one to a counter (0 when missing) and (re)sets its lifetime; the new count. */
  abstract increment(key: string, ttlMs: number): Promise<number>;
  /** Adds a member to a set and (re)sets the set's lifetime. */
  abstract addMember(
    key: string,
    member: string,
    ttlMs: number,
  ): Promise<SetAddition>;
  /**
   * `addMember(setKey, member, ttlMs)` and `increment(counterKey, ttlMs)` together (Redis: one
   * script, where the two calls made two pipelines of five commands; any failure throws).
   */
  abstract addMemberAndIncrement(
    setKey: string,
    member: string,
    counterKey: string,
    ttlMs: number,
  ): Promise<MemberAndCount>;
}

/** What `addMemberAndIncrement` did: the set's addition and the counter's new count. */
export interface MemberAndCount {
  addition: SetAddition;
  count: number;
}
