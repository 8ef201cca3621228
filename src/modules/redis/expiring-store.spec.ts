import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { Redis } from 'ioredis';
import { describeWithRedis } from '../../../test/utils/modes.js';
import { ExpiringStore } from './expiring-store.js';
import { MemoryExpiringStore } from './memory-expiring-store.js';
import { RedisExpiringStore } from './redis-expiring-store.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The contract both adapters keep; `pass(ms)` lets that much time go by for the store. */
function keepsTheContract(
  store: () => ExpiringStore,
  pass: (ms: number) => Promise<void>,
) {
  it('reads back what it keeps until the lifetime ends', async () => {
    await store().set('a', '1', 200);
    await store().setMany(
      [
        ['b', '2'],
        ['c', '3'],
      ],
      200,
    );
    expect(await store().getMany(['a', 'b', 'c', 'none'])).toEqual([
      '1',
      '2',
      '3',
      null,
    ]);
    await pass(300);
    expect([await store().get('a'), ...(await store().getMany(['b']))]).toEqual(
      [null, null],
    );
  });

  it('deleteMany drops the keys given, missing ones included, and no others', async () => {
    await store().setMany(
      [
        ['d1', '1'],
        ['d2', '2'],
        ['d3', '3'],
      ],
      10_000,
    );
    await store().deleteMany(['d1', 'd3', 'never-set']);
    await store().deleteMany([]);
    expect(await store().getMany(['d1', 'd2', 'd3'])).toEqual([
      null,
      '2',
      null,
    ]);
  });

  it('setIfAbsent writes once; the owner alone renews or deletes', async () => {
    expect(await store().setIfAbsent('lock', 'A', 200)).toBe(true);
    expect(await store().setIfAbsent('lock', 'B', 200)).toBe(false);
    expect(await store().expireIfEquals('lock', 'B', 10_000)).toBe(false);
    expect(await store().deleteIfEquals('lock', 'B')).toBe(false);
    expect(await store().expireIfEquals('lock', 'A', 10_000)).toBe(true);
    await pass(300);
    expect(await store().get('lock')).toBe('A');
    expect(await store().deleteIfEquals('lock', 'A')).toBe(true);
    expect(await store().setIfAbsent('lock', 'B', 200)).toBe(true);
    await pass(300);
    expect(await store().expireIfEquals('lock', 'B', 10_000)).toBe(false);
    expect(await store().setIfAbsent('lock', 'C', 200)).toBe(true);
  });

  it('counts and collects distinct members, each key with its lifetime', async () => {
    expect(await store().increment('n', 200)).toBe(1);
    expect(await store().increment('n', 200)).toBe(2);
    expect(await store().addMember('s', 'x', 200)).toEqual({
      added: true,
      size: 1,
    });
    expect(await store().addMember('s', 'x', 200)).toEqual({
      added: false,
      size: 1,
    });
    expect(await store().addMember('s', 'y', 200)).toEqual({
      added: true,
      size: 2,
    });
    await pass(300);
    expect(await store().increment('n', 200)).toBe(1);
    expect(await store().addMember('s', 'x', 200)).toEqual({
      added: true,
      size: 1,
    });
  });

  it('adds a member and counts in one call, as the two calls would', async () => {
    expect(await store().addMemberAndIncrement('ms', 'x', 'mn', 200)).toEqual({
      addition: { added: true, size: 1 },
      count: 1,
    });
    expect(await store().addMemberAndIncrement('ms', 'x', 'mn', 200)).toEqual({
      addition: { added: false, size: 1 },
      count: 2,
    });
    expect(await store().addMember('ms', 'y', 200)).toEqual({
      added: true,
      size: 2,
    });
    expect(await store().increment('mn', 200)).toBe(3);
    await pass(300);
    expect(await store().addMemberAndIncrement('ms', 'y', 'mn', 200)).toEqual({
      addition: { added: true, size: 1 },
      count: 1,
    });
  });
}

describe('MemoryExpiringStore', () => {
  let now = 1_000_000;
  let store: MemoryExpiringStore;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    store = new MemoryExpiringStore();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  keepsTheContract(
    () => store,
    (ms) => {
      now += ms;
      return Promise.resolve();
    },
  );

  it('prunes expired keys that are never read again', async () => {
    await store.setMany(
      Array.from({ length: 100 }, (_, i) => [`user:${i}`, '1'] as const),
      1_000,
    );
    expect(store.size).toBe(100);
    now += 61_000;
    await store.set('fresh', '1', 1_000);
    expect(store.size).toBe(1);
  });
});

describeWithRedis('RedisExpiringStore (real Redis)', () => {
  let client: Redis;
  const prefix = `${process.env.REDIS_KEY_PREFIX}expiring-store-spec:`;
  beforeAll(() => {
    client = new Redis(process.env.REDIS_URL!, { keyPrefix: prefix });
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length)
      await client.del(...keys.map((k) => k.slice(prefix.length)));
    await client.quit();
  });

  keepsTheContract(() => new RedisExpiringStore(client), sleep);

  it('keeps keys under the client prefix with the lifetime asked for', async () => {
    await new RedisExpiringStore(client).set('ttl', 'v', 180_000);
    const pttl = await client.pttl('ttl');
    expect(pttl > 175_000 && pttl <= 180_000).toBe(true);
  });
});
