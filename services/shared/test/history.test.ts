import Redis from 'ioredis';
import { RedisServer } from '@mmon/test-support';
import { StreamHistoryWriter, readStreamHistory } from '../src/history';
import { keys } from '../src/keys';
import type { Stream } from '../src/model';

const stream = (name: string, over: Partial<Stream> = {}) =>
  ({
    node: 'n',
    name,
    online: true,
    readers: 3,
    recvRateMbps: 4.25,
    sendRateMbps: 12.5,
    rtt: 0,
    health: { level: 'warn', reasons: ['x'] },
    ...over,
  }) as Stream;

describe('stream history in Redis Streams', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  test('appends one point per stream and reads them back with nulls and zeros intact', async () => {
    const writer = new StreamHistoryWriter(redis, 60_000, 10_000);
    const before = Date.now();
    await writer.append([stream('live/a'), stream('cam/b', { online: false, readers: 0, recvRateMbps: null, sendRateMbps: null, rtt: null, health: { level: 'crit', reasons: [] } })]);
    await writer.append([stream('live/a', { readers: 4 })]);
    const a = await readStreamHistory(redis, 'n', 'live/a', before - 1000);
    expect(a.map((p) => p.readers)).toEqual([3, 4]);
    expect(a[0]).toEqual({ t: expect.any(Number), online: true, readers: 3, recvRateMbps: 4.25, sendRateMbps: 12.5, rtt: 0, health: 'warn' });
    expect(a[0].t).toBeGreaterThanOrEqual(before - 1000);
    expect(await readStreamHistory(redis, 'n', 'cam/b', 0)).toEqual([
      { t: expect.any(Number), online: false, readers: 0, recvRateMbps: null, sendRateMbps: null, rtt: null, health: 'crit' },
    ]);
    expect(await readStreamHistory(redis, 'n', 'live/a', Date.now() + 60_000)).toEqual([]);
    expect(await readStreamHistory(redis, 'other', 'live/a', 0)).toEqual([]);
  });

  test('keeps about retention / interval points and expires with the retention', async () => {
    const writer = new StreamHistoryWriter(redis, 50_000, 1_000); // 51 points
    for (let i = 0; i < 400; i++) await writer.append([stream('capped', { readers: i })]);
    const len = await redis.xlen(keys.streamHistory('n', 'capped'));
    expect(len).toBeGreaterThanOrEqual(51);
    expect(len).toBeLessThan(400);
    const points = await readStreamHistory(redis, 'n', 'capped', 0);
    expect(points.at(-1)!.readers).toBe(399);
    const ttl = await redis.ttl(keys.streamHistory('n', 'capped'));
    expect(ttl).toBeGreaterThan(40);
    expect(ttl).toBeLessThanOrEqual(50);
  });
});
