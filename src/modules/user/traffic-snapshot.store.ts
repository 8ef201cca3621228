import { Injectable } from '@nestjs/common';
import { ExpiringStore } from '../redis/expiring-store.js';

/** Which snapshot: the daily guard's (`traffic_lastday`) or the hourly guard's (`traffic_lasthour`). */
export type SnapshotKind = 'lastday' | 'lasthour';

export interface TrafficSnapshot {
  userId: number;
  total: number;
}

/**
 * The traffic guards' per-user `u + d` snapshots: `user:{id}:traffic_<kind>` in the
 * ExpiringStore (Redis: one MGET to read a batch, one pipeline to write it; memory in the
 * embedded mode, pruned there).
 */
@Injectable()
export class TrafficSnapshotStore {
  constructor(private readonly store: ExpiringStore) {}

  private key(kind: SnapshotKind, userId: number): string {
    return `user:${userId}:traffic_${kind}`;
  }

  /** The stored totals, null where none (first run, or expired). */
  async read(
    kind: SnapshotKind,
    userIds: number[],
  ): Promise<(number | null)[]> {
    const values = await this.store.getMany(
      userIds.map((id) => this.key(kind, id)),
    );
    return values.map((v) => (v === null ? null : Number(v)));
  }

  async write(
    kind: SnapshotKind,
    snapshots: TrafficSnapshot[],
    ttlS: number,
  ): Promise<void> {
    await this.store.setMany(
      snapshots.map(
        (s) => [this.key(kind, s.userId), String(s.total)] as const,
      ),
      ttlS * 1000,
    );
  }
}
