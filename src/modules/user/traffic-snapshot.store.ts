import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service.js';

/** Which snapshot: the daily guard's (`traffic_lastday`) or the hourly guard's (`traffic_lasthour`). */
export type SnapshotKind = 'lastday' | 'lasthour';

export interface TrafficSnapshot {
  userId: number;
  total: number;
}

/**
 * The traffic guards' per-user `u + d` snapshots: Redis `user:{id}:traffic_<kind>` (the key
 * prefix is added by ioredis), read with MGET and written with one pipeline per batch; in the
 * embedded mode (no REDIS_URL) a process-local map with the same expiry.
 */
@Injectable()
export class TrafficSnapshotStore {
  private readonly memory = new Map<
    string,
    { value: number; expiresAt: number }
  >();

  constructor(private readonly redis: RedisService) {}

  private key(kind: SnapshotKind, userId: number): string {
    return `user:${userId}:traffic_${kind}`;
  }

  /** The stored totals, null where none (first run, or expired). */
  async read(
    kind: SnapshotKind,
    userIds: number[],
  ): Promise<(number | null)[]> {
    if (userIds.length === 0) return [];
    const keys = userIds.map((id) => this.key(kind, id));
    if (this.redis.client) {
      const values = await this.redis.client.mget(...keys);
      return values.map((v) => (v === null ? null : Number(v)));
    }
    const now = Date.now();
    return keys.map((k) => {
      const entry = this.memory.get(k);
      return entry && entry.expiresAt > now ? entry.value : null;
    });
  }

  async write(
    kind: SnapshotKind,
    snapshots: TrafficSnapshot[],
    ttlS: number,
  ): Promise<void> {
    if (snapshots.length === 0) return;
    if (this.redis.client) {
      const pipeline = this.redis.client.pipeline();
      for (const s of snapshots)
        pipeline.set(this.key(kind, s.userId), String(s.total), 'EX', ttlS);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return;
    }
    const expiresAt = Date.now() + ttlS * 1000;
    for (const s of snapshots)
      this.memory.set(this.key(kind, s.userId), { value: s.total, expiresAt });
    this.pruneMemory();
  }

  /** Drops expired entries so the embedded map does not keep deleted users forever. */
  private pruneMemory(): void {
    const now = Date.now();
    for (const [k, v] of this.memory)
      if (v.expiresAt <= now) this.memory.delete(k);
  }
}
