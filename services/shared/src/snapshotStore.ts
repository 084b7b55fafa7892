import type Redis from 'ioredis';
import { execResults } from './execResults';
import { keys, type SnapshotIndexEntry, type SnapshotMeta } from './keys';

/**
 * Thumbnails in Redis: every command on the snapshot keys. The snapshotter writes images and each
 * of its nodes' index; the api reads them. Every node's index has its own key, so snapshotters
 * serving different nodes (MEDIAMTX_NODES) never overwrite each other's; readers join them.
 */
export class SnapshotStore {
  constructor(private readonly redis: Redis) {}

  /** One stream's image and meta (node and name), replacing the previous ones, expiring after ttlMs. */
  async saveImage(image: Buffer, meta: SnapshotMeta, ttlMs: number): Promise<void> {
    const key = keys.snapshot(meta.node, meta.name);
    execResults(await this.redis.multi().hset(key, 'image', image, 'meta', JSON.stringify(meta)).pexpire(key, ttlMs).exec());
  }

  /** A stream's latest image (null when there is none) and its meta. */
  async image(node: string, name: string): Promise<{ image: Buffer | null; meta: SnapshotMeta | null }> {
    const [image, meta] = await this.redis.hmgetBuffer(keys.snapshot(node, name), 'image', 'meta');
    return {
      image: image !== null && image.length > 0 ? image : null,
      meta: meta === null ? null : (JSON.parse(meta.toString('utf8')) as SnapshotMeta),
    };
  }

  /**
   * The index of each given node (an empty array for a node without online streams), expiring
   * after ttlMs, then {"kind":"snapshots","at":…} on the updates channel.
   */
  async publishIndex(byNode: ReadonlyMap<string, readonly SnapshotIndexEntry[]>, ttlMs: number, at: string): Promise<void> {
    const multi = this.redis.multi();
    for (const [node, entries] of byNode) multi.set(keys.nodeSnapshots(node), JSON.stringify(entries), 'PX', ttlMs);
    if (byNode.size > 0) multi.sadd(keys.snapshotNodes, ...byNode.keys());
    multi.publish(keys.updates, JSON.stringify({ kind: 'snapshots', at }));
    execResults(await multi.exec());
  }

  /** Every node's index joined, node by node, as one JSON array (the nodes' texts are not parsed). */
  async index(): Promise<string> {
    const nodes = (await this.redis.smembers(keys.snapshotNodes)).sort();
    if (nodes.length === 0) return '[]';
    const lists = await this.redis.mget(nodes.map((node) => keys.nodeSnapshots(node)));
    const parts = lists.filter((list): list is string => list !== null && list !== '[]').map((list) => list.slice(1, -1));
    return `[${parts.join(',')}]`;
  }
}
