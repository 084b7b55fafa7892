import { StreamReader, StreamStore, keys, type StreamsMeta } from '@mmon/shared';
import { collectorStatus, useRedis } from '@mmon/test-support';

/** What StreamStore writes, read back with StreamReader and plain commands on a real redis-server. */
describe('StreamStore', () => {
  const db = useRedis({ flush: true });

  const rows = (node: string, ...names: string[]) => JSON.stringify(names.map((name) => ({ node, name })));
  const publish = (store: StreamStore, node: string, names: string[], nowMs = Date.now()) =>
    store.publishNode(collectorStatus(node), rows(node, ...names), { mode: 'keep' }, new Date(nowMs).toISOString(), nowMs);
  const merged = async () => (JSON.parse((await db.redis.get(keys.streamsLatest))!) as { node: string; name: string }[]).map((s) => `${s.node}/${s.name}`);
  const meta = async () => JSON.parse((await db.redis.get(keys.streamsMeta))!) as StreamsMeta;

  test('each publish merges whole node arrays, sorted by node; a node whose data expired drops out', async () => {
    const store = new StreamStore(db.redis, 60);
    await publish(store, 'b', ['x']);
    await publish(new StreamStore(db.redis, 60), 'a', ['y', 'z']); // another collector, which knows no nodes yet
    expect(await merged()).toEqual(['a/y', 'a/z', 'b/x']);
    expect((await meta()).nodes).toEqual(['a', 'b']);
    await db.redis.del(keys.nodeSummaries('a')); // as when a's TTL ran out
    await publish(store, 'b', ['x']);
    expect(await merged()).toEqual(['b/x']);
    expect(await db.redis.smembers(keys.nodes)).toEqual(['b']);
  });

  test('detail: replaced whole after a full read, merged for some streams, kept otherwise', async () => {
    const store = new StreamStore(db.redis, 60);
    const reader = new StreamReader(db.redis);
    const status = collectorStatus('n');
    const at = new Date().toISOString();
    await store.publishNode(status, rows('n', 'a', 'b'), { mode: 'replace', entries: [['a', '{"v":1}'], ['b', '{"v":1}']] }, at, Date.now());
    await store.publishNode(status, rows('n', 'a', 'b'), { mode: 'merge', entries: [['b', '{"v":2}']] }, at, Date.now());
    expect(await reader.allDetails('n')).toEqual({ a: '{"v":1}', b: '{"v":2}' });
    await store.publishNode(status, rows('n', 'a'), { mode: 'keep' }, at, Date.now());
    expect(await reader.details('n', ['a', 'b', 'c'])).toEqual(['{"v":1}', '{"v":2}', null]);
    await store.publishNode(status, rows('n', 'a'), { mode: 'replace', entries: [['a', '{"v":3}']] }, at, Date.now());
    expect(await reader.allDetails('n')).toEqual({ a: '{"v":3}' });
    expect(await db.redis.ttl(keys.nodeDetails('n'))).toBeGreaterThan(0);
  });

  test('publish answers the streams a client views, until their time is up', async () => {
    const store = new StreamStore(db.redis, 60);
    const reader = new StreamReader(db.redis);
    const now = Date.now();
    await reader.watch('n', ['a', 'b'], now + 10_000);
    await reader.watch('n', ['c'], now + 1_000);
    expect((await publish(store, 'n', ['a'], now)).sort()).toEqual(['a', 'b', 'c']);
    expect((await publish(store, 'n', ['a'], now + 5_000)).sort()).toEqual(['a', 'b']);
    expect(await publish(store, 'other', ['a'], now)).toEqual([]);
  });

  test('with mergeMinMs, the merged view is rebuilt at most that often, but at once when a node joins', async () => {
    const store = new StreamStore(db.redis, 60, 60_000);
    await publish(store, 'a', ['1']);
    await publish(store, 'b', ['1']); // a new node: rebuilt
    expect(await merged()).toEqual(['a/1', 'b/1']);
    const builtAt = (await meta()).builtAt;
    await publish(store, 'a', ['1', '2']); // within mergeMinMs: the node's own key is fresh, the merged view waits
    expect(JSON.parse((await db.redis.get(keys.nodeSummaries('a')))!)).toHaveLength(2);
    expect(await merged()).toEqual(['a/1', 'b/1']);
    expect((await meta()).builtAt).toBe(builtAt);
    await publish(new StreamStore(db.redis, 60, 0), 'a', ['1', '2']); // without a minimum: rebuilt
    expect(await merged()).toEqual(['a/1', 'a/2', 'b/1']);
  });
});
