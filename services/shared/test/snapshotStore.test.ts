import { SnapshotStore, keys, snapshotImageUrl, type SnapshotIndexEntry } from '../src';
import { eventually, useRedis } from './support';

const entry = (node: string, name: string): SnapshotIndexEntry => ({ node, name, takenAt: '2026-12-01T10:00:00.000Z', url: snapshotImageUrl(node, name) });

describe('SnapshotStore', () => {
  const db = useRedis();

  test("each node's index is its own: a writer of other nodes leaves it alone, an empty one clears it, an expired one drops out", async () => {
    const eu = new SnapshotStore(db.redis);
    const us = new SnapshotStore(db.redis);
    expect(await eu.index()).toBe('[]');

    await eu.publishIndex(new Map([['eu', [entry('eu', 'cam'), entry('eu', 'door')]]]), 60_000, '2026-12-01T10:00:00.000Z');
    await us.publishIndex(new Map([['us', [entry('us', 'cam')]], ['ca', []]]), 300, '2026-12-01T10:00:01.000Z');
    expect(JSON.parse(await eu.index())).toEqual([entry('eu', 'cam'), entry('eu', 'door'), entry('us', 'cam')]);

    // The eu writer's next cycle: door went offline; us is untouched.
    await eu.publishIndex(new Map([['eu', [entry('eu', 'cam')]]]), 60_000, '2026-12-01T10:00:02.000Z');
    expect(JSON.parse(await us.index())).toEqual([entry('eu', 'cam'), entry('us', 'cam')]);

    // The us writer stopped: its index expires with its TTL.
    await eventually(async () => expect(JSON.parse(await eu.index())).toEqual([entry('eu', 'cam')]));
    expect(await db.redis.pttl(keys.nodeSnapshots('eu'))).toBeGreaterThan(50_000);
  });

  test('an image is found by node and name with its meta, and expires', async () => {
    const store = new SnapshotStore(db.redis);
    expect(await store.image('eu', 'cam')).toEqual({ image: null, meta: null });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    await store.saveImage(jpeg, { node: 'eu', name: 'cam', takenAt: '2026-12-01T10:00:00.000Z' }, 300);
    expect(await store.image('eu', 'cam')).toEqual({ image: jpeg, meta: { node: 'eu', name: 'cam', takenAt: '2026-12-01T10:00:00.000Z' } });
    expect(await store.image('us', 'cam')).toEqual({ image: null, meta: null });
    await eventually(async () => expect((await store.image('eu', 'cam')).image).toBeNull());
  });
});
