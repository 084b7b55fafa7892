import Redis, { type RedisOptions } from 'ioredis';
import { RedisServer } from './redisServer';

export interface UsedRedis {
  /** The redis-server: stop() and start() take it away and bring it back on the same port. */
  server: RedisServer;
  /** A client of it (with `options`), ready. */
  redis: Redis;
  /** The server's redis:// URL. */
  url: string;
}

/**
 * A real redis-server and a client of it for the tests of the calling describe block: both started
 * in a beforeAll, the client disconnected and the server stopped in an afterAll, and with `flush`
 * every key deleted before each test. The fields are set once the beforeAll ran. Hooks run in the
 * order they are declared: an afterAll that still needs Redis (closing an api on it) goes before
 * the call, a beforeAll that needs it after.
 */
export function useRedis(opts: { options?: RedisOptions; flush?: boolean } = {}): UsedRedis {
  const used = {} as UsedRedis;
  beforeAll(async () => {
    used.server = await RedisServer.start();
    used.url = used.server.url;
    used.redis = new Redis(used.url, opts.options ?? {});
    const redis = used.redis;
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    used.redis?.disconnect();
    await used.server?.stop();
  });
  if (opts.flush) beforeEach(() => used.redis.flushall());
  return used;
}
