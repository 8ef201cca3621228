import { FixedWindowMemory } from './redis-throttler.storage.js';

describe('FixedWindowMemory (the per-replica node budget)', () => {
  it('counts a fixed window, blocks past the limit, and starts afresh after both expire', () => {
    const memory = new FixedWindowMemory();
    try {
      const t0 = 1_000_000;
      for (let i = 1; i <= 3; i++)
        expect(memory.increment('k', 60_000, 3, 60_000, t0 + i)).toEqual({
          totalHits: i,
          timeToExpire: 60,
          isBlocked: false,
          timeToBlockExpire: 0,
        });
      expect(memory.increment('k', 60_000, 3, 60_000, t0 + 10)).toMatchObject({
        totalHits: 4,
        isBlocked: true,
        timeToBlockExpire: 60,
      });
      // Blocked: not counted further; other keys are independent.
      expect(memory.increment('k', 60_000, 3, 60_000, t0 + 20)).toMatchObject({
        totalHits: 4,
        isBlocked: true,
      });
      expect(
        memory.increment('other', 60_000, 3, 60_000, t0 + 20),
      ).toMatchObject({
        totalHits: 1,
        isBlocked: false,
      });
      // After the window and the block: a new window.
      expect(memory.increment('k', 60_000, 3, 60_000, t0 + 60_011)).toEqual({
        totalHits: 1,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    } finally {
      memory.close();
    }
  });
});
