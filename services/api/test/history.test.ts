import request from 'supertest';
import Redis from 'ioredis';
import { StreamHistoryWriter, createLogger, type Stream } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';

describe('/api/history', () => {
  let server: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let base: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    api = await startApi({ redis: server.url, port: 0, host: '127.0.0.1', logger: createLogger('t', 'error') });
    base = `http://127.0.0.1:${api.port}`;
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await server.stop();
  });

  test("answers one stream's points, oldest first", async () => {
    const s = { node: 'eu-1', name: 'live/a b', online: true, readers: 2, recvRateMbps: 1.5, sendRateMbps: 3, rtt: 12.5, health: { level: 'ok', reasons: [] } } as unknown as Stream;
    const writer = new StreamHistoryWriter(redis, 3_600_000, 10_000);
    await writer.append([s]);
    await writer.append([{ ...s, readers: 5 }]);
    const res = await request(base).get('/api/history').query({ node: 'eu-1', name: 'live/a b', minutes: '5' });
    expect(res.status).toBe(200);
    expect(res.body.node).toBe('eu-1');
    expect(res.body.name).toBe('live/a b');
    expect(res.body.points.map((p: { readers: number }) => p.readers)).toEqual([2, 5]);
    expect(res.body.points[0]).toMatchObject({ online: true, recvRateMbps: 1.5, sendRateMbps: 3, rtt: 12.5, health: 'ok' });
    const none = await request(base).get('/api/history').query({ node: 'eu-1', name: 'nothing' });
    expect(none.body.points).toEqual([]);
  });

  test.each([
    ['/api/history', /required/],
    ['/api/history?node=eu-1', /required/],
    ['/api/history?node=e%20u&name=x', /"node" is malformed/],
    ['/api/history?node=a&name=x&minutes=0', /minutes/],
    ['/api/history?node=a&name=x&minutes=99999', /"minutes" is malformed/],
    ['/api/history?node=a&name=x&from=1', /unknown query parameter "from"/],
  ])('%s answers 400 JSON', async (path, message) => {
    const res = await request(base).get(path);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });
});
