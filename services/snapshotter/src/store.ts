import type Redis from 'ioredis';
import { keys, type SnapshotIndexEntry, type SnapshotMeta } from '@mmon/shared';

/** Writes snapshots, the index and the update message to Redis (schema in @mmon/shared keys). */
export class SnapshotStore {
  constructor(private readonly redis: Redis) {}

  /** One stream's image and meta (node and name), replacing the previous ones, expiring after ttlMs. */
  async saveImage(image: Buffer, meta: SnapshotMeta, ttlMs: number): Promise<void> {
    const key = keys.snapshot(meta.node, meta.name);
    await this.redis
      .multi()
      .hset(key, 'image', image, 'meta', JSON.stringify(meta))
      .pexpire(key, ttlMs)
      .exec()
      .then(check);
  }

  /** The index of every online stream, then {"kind":"snapshots","at":…} on the updates channel. */
  async publishIndex(entries: SnapshotIndexEntry[], ttlMs: number, at: string): Promise<void> {
    await this.redis
      .multi()
      .set(keys.snapshotsIndex, JSON.stringify(entries), 'PX', ttlMs)
      .publish(keys.updates, JSON.stringify({ kind: 'snapshots', at }))
      .exec()
      .then(check);
  }
}

function check(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error('transaction aborted');
  for (const [err] of results) if (err) throw err;
}
