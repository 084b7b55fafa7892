import request from 'supertest';
import Redis from 'ioredis';
import { StreamStore, createLogger, keys } from '@mmon/shared';
import { RedisServer, collectorStatus, eventually } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';
import { detailPart, publish, summary } from './fixtures';

const logger = createLogger('api-test', 'error');

describe('api', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let base: string;
  const store = () => new StreamStore(redis, 60);
  const latest = async (path = '/api/streams/latest') => (await request(base).get(path)).body;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${api.port}`;
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  test("streams/latest answers [] before any collector wrote, then every node's summaries, the bytes Redis holds", async () => {
    await redis.flushall();
    await api.close();
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${api.port}`;
    const empty = await request(base).get('/api/streams/latest');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);

    await publish(store(), 'b', [summary('b', 'cam')]);
    await publish(store(), 'a', [summary('a', 'x'), summary('a', 'y')]);
    const all = await eventually(async () => {
      const res = await request(base).get('/api/streams/latest');
      expect(res.body).toHaveLength(3);
      return res;
    });
    expect(all.headers['content-type']).toMatch(/application\/json/);
    expect(all.body.map((s: { node: string; name: string }) => `${s.node}/${s.name}`)).toEqual(['a/x', 'a/y', 'b/cam']);
    expect(all.text).toBe(await redis.get(keys.streamsLatest)); // spliced from the nodes' bodies exactly as the publish script does

    const onlyB = await request(base).get('/api/streams/latest?node=b');
    expect(onlyB.text).toBe(await redis.get(keys.nodeSummaries('b')));
    expect(onlyB.body).toEqual([summary('b', 'cam')]);
    expect(await latest('/api/streams/latest?node=zzz')).toEqual([]);

    expect((await request(base).get('/api/streams/latest').set('If-None-Match', all.headers.etag)).status).toBe(304);
    expect((await request(base).get('/api/streams/latest?node=b').set('If-None-Match', onlyB.headers.etag)).status).toBe(304);

    // b's key expires (its collector stopped): a's next write drops b from the meta, and the api drops b
    await redis.del(keys.nodeSummaries('b'));
    await publish(store(), 'a', [summary('a', 'x')]);
    await eventually(async () => expect(await latest()).toEqual([summary('a', 'x')]));
    expect(await latest('/api/streams/latest?node=b')).toEqual([]);
    const changed = await request(base).get('/api/streams/latest').set('If-None-Match', all.headers.etag);
    expect(changed.status).toBe(200);
  });

  test('?detail=1 adds each stream\'s connections and frame errors; a stream without stored detail has them null', async () => {
    await redis.flushall();
    await publish(store(), 'a', [summary('a', 'x'), summary('a', 'new')], undefined, { x: detailPart('r-x') });
    await publish(store(), 'b', [summary('b', 'cam')], undefined, { cam: detailPart('r-cam') });
    await eventually(async () => expect(await latest()).toHaveLength(3));
    const all = await latest('/api/streams/latest?detail=1');
    expect(all).toEqual([
      { ...summary('a', 'x'), ...detailPart('r-x') },
      { ...summary('a', 'new'), inboundFramesInError: null, inboundFramesInError10s: null, source: null, readerList: null },
      { ...summary('b', 'cam'), ...detailPart('r-cam') },
    ]);
    expect(await latest('/api/streams/latest?node=b&detail=1')).toEqual([{ ...summary('b', 'cam'), ...detailPart('r-cam') }]);
    expect(await latest('/api/streams/latest?node=zzz&detail=1')).toEqual([]);
    // the summaries themselves never carry detail
    expect(await latest('/api/streams/latest?node=b')).toEqual([summary('b', 'cam')]);
  });

  test("streams/detail answers one stream's detail, 404 for an unknown stream, 400 for bad or missing parameters", async () => {
    await redis.flushall();
    await publish(store(), 'eu-1', [summary('eu-1', 'live/a b'), summary('eu-1', 'other')], undefined, { 'live/a b': detailPart('r1') });
    await eventually(async () => expect(await latest()).toHaveLength(2));
    const res = await request(base).get('/api/streams/detail').query({ node: 'eu-1', name: 'live/a b' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ ...summary('eu-1', 'live/a b'), ...detailPart('r1') });

    for (const query of [{ node: 'eu-1', name: 'nothing' }, { node: 'eu-2', name: 'live/a b' }]) {
      const missing = await request(base).get('/api/streams/detail').query(query);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'no such stream', status: 404 });
    }
    for (const path of [
      '/api/streams/detail',
      '/api/streams/detail?node=eu-1',
      '/api/streams/detail?name=other',
      '/api/streams/detail?node=e%20u&name=other',
      '/api/streams/detail?node=eu-1&name=',
      '/api/streams/detail?node=eu-1&name=a&name=b',
      '/api/streams/detail?node=eu-1&name=other&x=1',
    ]) {
      const bad = await request(base).get(path);
      expect([path, bad.status]).toEqual([path, 400]);
      expect(bad.body).toEqual({ error: expect.any(String), status: 400 });
    }
  });

  test('malformed queries and unknown paths answer JSON errors, never HTML', async () => {
    for (const [path, code] of [
      ['/api/streams/latest?node=<script>', 400],
      ['/api/streams/latest?node=a&node=b', 400],
      ['/api/streams/latest?detail=yes', 400],
      ['/api/streams/latest?bogus=1', 400],
      ['/api/nope', 404],
      ['/api/streams/%E0%A4%A', 404],
      ['/no/such/file.html', 404],
    ] as const) {
      const res = await request(base).get(path);
      expect(res.status).toBe(code);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual({ error: expect.any(String), status: code });
      expect(res.text).not.toMatch(/<html|at .*\.ts:/i);
    }
  });

  test('health reports each node, staleness by age, the version and Redis reachability', async () => {
    await redis.flushall();
    const old = new Date(Date.now() - 10_000).toISOString();
    await publish(store(), 'fresh', []);
    await store().keepNode(collectorStatus('old', { lastSuccessAt: old, mediamtxVersion: 'v9.0.0', versionTested: false }));
    const res = await request(base).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.redis).toEqual({ reachable: true });
    expect(res.body.collector).toMatchObject({ stale: true, lastSuccessAt: old, lastCycleMs: 12, versionTested: false });
    expect(res.body.collector.untestedVersions).toEqual([{ node: 'old', version: 'v9.0.0' }]);
    const byId = Object.fromEntries(res.body.collector.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId.fresh.stale).toBe(false);
    expect(byId.fresh).toMatchObject({ lastCycleMs: 12, lastCycleCpuMs: 3, effectiveIntervalMs: 1000, detailRefreshMs: 1000, itemsSkipped: 0, itemsRepaired: 0 });
    expect(byId.old.stale).toBe(true);

    const nodes = await request(base).get('/api/nodes');
    expect(nodes.body.map((n: { id: string; stale: boolean }) => [n.id, n.stale])).toEqual([
      ['fresh', false],
      ['old', true],
    ]);
  });

  test('serves the dashboard at /', async () => {
    const res = await request(base).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  test('keeps serving the last streams while Redis is away, reports it, and recovers', async () => {
    await redis.flushall();
    await publish(store(), 'n', [summary('n', 'kept')]);
    await eventually(async () => expect(await latest()).toEqual([summary('n', 'kept')]));
    await redisServer.stop();
    const health = await eventually(async () => {
      const res = await request(base).get('/api/health');
      expect(res.status).toBe(503);
      return res;
    });
    expect(health.body).toMatchObject({ redis: { reachable: false }, collector: { stale: true } });
    expect(await latest()).toEqual([summary('n', 'kept')]);
    expect(await latest('/api/streams/latest?node=n')).toEqual([summary('n', 'kept')]);
    expect((await request(base).get('/api/nodes')).status).toBe(503);
    expect((await request(base).get('/api/streams/detail?node=n&name=kept')).status).toBe(503);

    await redisServer.start();
    await eventually(
      async () => {
        await publish(store(), 'n', [summary('n', 'after')]);
        expect(await latest()).toEqual([summary('n', 'after')]);
      },
      15000,
      300,
    );
    expect((await request(base).get('/api/health')).status).toBe(200);
  });
});
