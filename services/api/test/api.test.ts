import request from 'supertest';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { StreamStore, createLogger } from '@mmon/shared';
import { RedisServer, collectorStatus, eventually } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';

const logger = createLogger('api-test', 'error');

const status = collectorStatus;

const stream = (node: string, name: string) => ({ node, name, online: true, readers: 0, sourceType: 'srtConn' });

describe('api', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let base: string;
  const store = () => new StreamStore(redis, 60);

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

  test('streams/latest answers [] before any collector wrote, then the merged view of every node', async () => {
    await redis.flushall();
    await api.close();
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${api.port}`;
    const empty = await request(base).get('/api/streams/latest');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);

    await store().publishNode(status('b'), JSON.stringify([stream('b', 'cam')]), new Date().toISOString());
    await store().publishNode(status('a'), JSON.stringify([stream('a', 'x'), stream('a', 'y')]), new Date().toISOString());
    const all = await eventually(async () => {
      const res = await request(base).get('/api/streams/latest');
      expect(res.body).toHaveLength(3);
      return res;
    });
    expect(all.headers['content-type']).toMatch(/application\/json/);
    expect(all.body.map((s: { node: string; name: string }) => `${s.node}/${s.name}`)).toEqual(['a/x', 'a/y', 'b/cam']);

    const onlyB = await request(base).get('/api/streams/latest?node=b');
    expect(onlyB.body).toEqual([stream('b', 'cam')]);
    const unknownNode = await request(base).get('/api/streams/latest?node=zzz');
    expect(unknownNode.body).toEqual([]);

    const again = await request(base).get('/api/streams/latest').set('If-None-Match', all.headers.etag);
    expect(again.status).toBe(304);
  });

  test('malformed queries and unknown paths answer JSON errors, never HTML', async () => {
    for (const [path, code] of [
      ['/api/streams/latest?node=<script>', 400],
      ['/api/streams/latest?node=a&node=b', 400],
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
    await store().publishNode(status('fresh'), '[]', new Date().toISOString());
    await store().keepNode(status('old', { lastSuccessAt: old, mediamtxVersion: 'v9.0.0', versionTested: false }));
    const res = await request(base).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.redis).toEqual({ reachable: true });
    expect(res.body.collector).toMatchObject({ stale: true, lastSuccessAt: old, lastCycleMs: 12, versionTested: false });
    expect(res.body.collector.untestedVersions).toEqual([{ node: 'old', version: 'v9.0.0' }]);
    const byId = Object.fromEntries(res.body.collector.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId.fresh.stale).toBe(false);
    expect(byId.fresh).toMatchObject({ lastCycleMs: 12, lastCycleCpuMs: 3 });
    expect(byId.old.stale).toBe(true);

    const nodes = await request(base).get('/api/nodes');
    expect(nodes.body.map((n: { id: string; stale: boolean }) => [n.id, n.stale])).toEqual([
      ['fresh', false],
      ['old', true],
    ]);
  });

  test('the WebSocket sends the current streams on connect and pushes every update', async () => {
    await redis.flushall();
    await store().publishNode(status('n'), JSON.stringify([stream('n', 'first')]), '2026-11-24T05:00:00.000Z');
    await eventually(async () => expect((await request(base).get('/api/streams/latest')).body).toHaveLength(1));
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/api/ws`);
    const messages: { type: string; data: unknown; collectedAt?: string }[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
    await eventually(() => expect(messages.find((m) => m.type === 'streams')).toBeDefined());
    expect(messages[0]).toEqual({ type: 'streams', collectedAt: '2026-11-24T05:00:00.000Z', data: [stream('n', 'first')] });
    await store().publishNode(status('n'), JSON.stringify([stream('n', 'second')]), '2026-11-24T05:00:01.000Z');
    await eventually(() =>
      expect(messages.at(-1)).toEqual({ type: 'streams', collectedAt: '2026-11-24T05:00:01.000Z', data: [stream('n', 'second')] }),
    );
    ws.close();
  });

  test('serves the dashboard at /', async () => {
    const res = await request(base).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  test('keeps serving the last streams while Redis is away, reports it, and recovers', async () => {
    await redis.flushall();
    await store().publishNode(status('n'), JSON.stringify([stream('n', 'kept')]), new Date().toISOString());
    await eventually(async () => expect((await request(base).get('/api/streams/latest')).body).toEqual([stream('n', 'kept')]));
    await redisServer.stop();
    const health = await eventually(async () => {
      const res = await request(base).get('/api/health');
      expect(res.status).toBe(503);
      return res;
    });
    expect(health.body).toMatchObject({ redis: { reachable: false }, collector: { stale: true } });
    expect((await request(base).get('/api/streams/latest')).body).toEqual([stream('n', 'kept')]);
    expect((await request(base).get('/api/nodes')).status).toBe(503);

    await redisServer.start();
    await eventually(async () => {
      await store().publishNode(status('n'), JSON.stringify([stream('n', 'after')]), new Date().toISOString());
      expect((await request(base).get('/api/streams/latest')).body).toEqual([stream('n', 'after')]);
    }, 15000, 300);
    expect((await request(base).get('/api/health')).status).toBe(200);
  });
});
