import type Redis from 'ioredis';
import { FaultLog, connectRedis, connectSubscriber, createLogger } from '../src';
import { RedisServer, eventually } from './support';

const quietFaults = () => new FaultLog(createLogger('redis-test', 'error'));

describe.each([
  ['connectRedis', connectRedis],
  ['connectSubscriber', connectSubscriber],
])('%s', (_, connect) => {
  let server: RedisServer;
  let redis: Redis;

  beforeEach(async () => {
    server = await RedisServer.start();
    redis = connect(server.url, quietFaults());
    await eventually(() => expect(redis.status).toBe('ready'));
  });

  afterEach(async () => {
    redis.disconnect();
    await server.stop();
  });

  test('a connection ioredis ends by itself is connected again', async () => {
    // ioredis ends a connection without retrying when its connector is closed while it connects
    // (its Sentinel failover detector does that when a failover is announced during a reconnect).
    // 'connecting' is emitted before the connector's own check of that, on the next tick.
    redis.once('connecting', () => (redis as unknown as { connector: { disconnect(): void } }).connector.disconnect());
    let ended = false;
    redis.once('end', () => (ended = true));
    await server.stop();
    await eventually(() => expect(ended).toBe(true));
    await server.start();
    await eventually(async () => expect(await redis.ping()).toBe('PONG'), 10_000, 100);
  });

  test('one closed by disconnect() stays closed', async () => {
    let ended = false;
    redis.once('end', () => (ended = true));
    redis.disconnect();
    await eventually(() => expect(ended).toBe(true));
    // Longer than the reconnect after an unexpected end takes.
    await new Promise((r) => setTimeout(r, 1500));
    expect(redis.status).toBe('end');
  });
});
