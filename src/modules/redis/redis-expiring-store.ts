import { once } from 'node:events';
import type { Redis } from 'ioredis';
import {
  ExpiringStore,
  type MemberAndCount,
  SetAddition,
} from './expiring-store.js';

/** Sets a new lifetime on KEYS[1] only while it holds ARGV[1]. */
const EXPIRE_IF_EQUALS = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes KEYS[1] only while it holds ARGV[1] (compare-and-delete). */
const DELETE_IF_EQUALS = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * SADD + PEXPIRE + SCARD on KEYS[1] (member ARGV[1]) and INCR + PEXPIRE on KEYS[2], lifetime
 * ARGV[2]: `{added, size, count}`. One command where a pipeline of five costs the client a
 * command object and a promise each.
 */
const ADD_MEMBER_AND_INCREMENT = `local added = redis.call('sadd', KEYS[1], ARGV[1])
redis.call('pexpire', KEYS[1], ARGV[2])
local size = redis.call('scard', KEYS[1])
local count = redis.call('incr', KEYS[2])
redis.call('pexpire', KEYS[2], ARGV[2])
return {added, size, count}`;

/** The client with the store's defined command (EVALSHA, EVAL on NOSCRIPT). */
interface StoreRedis extends Redis {
  panelAddMemberAndIncrement(
    setKey: string,
    counterKey: string,
    member: string,
    ttlMs: number,
  ): Promise<[number, number, number]>;
}

type PipelineResults = [Error | null, unknown][] | null;

/** The replies of a pipeline; throws its first error (or when it was aborted). */
function repliesOf(results: PipelineResults): unknown[] {
  if (!results) throw new Error('Redis pipeline aborted');
  const failed = results.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
  return results.map(([, reply]) => reply);
}

/**
 * `ExpiringStore` on the app's ioredis client (its key prefix applies, Lua scripts included).
 * Conditional writes are one script each, so a replica never changes a key another one owns.
 */
export class RedisExpiringStore extends ExpiringStore {
  constructor(private readonly client: Redis) {
    super();
    client.defineCommand('panelAddMemberAndIncrement', {
      numberOfKeys: 2,
      lua: ADD_MEMBER_AND_INCREMENT,
    });
  }

  async whenReady(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') return;
    await Promise.race([
      once(client, 'ready'),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`Redis not ready (${client.status})`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  }

  get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? Promise.resolve([]) : this.client.mget(...keys);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(key, value, 'PX', ttlMs);
  }

  async setMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const [key, value] of entries) pipeline.set(key, value, 'PX', ttlMs);
    repliesOf(await pipeline.exec());
  }

  async setIfAbsent(
    key: string,
    value: string,
    ttlMs: number,
  ): Promise<boolean> {
    return (await this.client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async expireIfEquals(
    key: string,
    value: string,
    ttlMs: number,
  ): Promise<boolean> {
    const done = await this.client.eval(EXPIRE_IF_EQUALS, 1, key, value, ttlMs);
    return Number(done) === 1;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return (
      Number(await this.client.eval(DELETE_IF_EQUALS, 1, key, value)) === 1
    );
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.client.del(...keys);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const [count] = repliesOf(
      await this.client.pipeline().incr(key).pexpire(key, ttlMs).exec(),
    );
    return Number(count);
  }

  async addMember(
    key: string,
    member: string,
    ttlMs: number,
  ): Promise<SetAddition> {
    const [added, , size] = repliesOf(
      await this.client
        .pipeline()
        .sadd(key, member)
        .pexpire(key, ttlMs)
        .scard(key)
        .exec(),
    );
    return { added: Number(added) === 1, size: Number(size) };
  }

  addMemberAndIncrement(
    setKey: string,
    member: string,
    counterKey: string,
    ttlMs: number,
  ): Promise<MemberAndCount> {
    return (this.client as StoreRedis)
      .panelAddMemberAndIncrement(setKey, counterKey, member, ttlMs)
      .then(([added, size, count]) => ({
        addition: { added: Number(added) === 1, size: Number(size) },
        count: Number(count),
      }));
  }
}
