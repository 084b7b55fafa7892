import Redis, { type RedisOptions } from 'ioredis';
import type { RedisTarget } from './config';
import { FaultLog } from './logger';

/**
 * ioredis options for a target: the URL's database, credentials and TLS, and, with Sentinels,
 * the primary they report (ioredis asks them again after every disconnect, so a failover is
 * followed by itself).
 */
function optionsFor(target: RedisTarget | string, base: RedisOptions): [string | undefined, RedisOptions] {
  const t: RedisTarget = typeof target === 'string' ? { url: target, sentinels: [], sentinelName: '' } : target;
  if (t.sentinels.length === 0) return [t.url, base];
  const u = new URL(t.url);
  return [
    undefined,
    {
      ...base,
      sentinels: t.sentinels,
      name: t.sentinelName,
      db: Number(u.pathname.slice(1) || 0),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
      sentinelRetryStrategy: (times) => Math.min(100 * times, 2000),
    },
  ];
}

function create(target: RedisTarget | string, opts: RedisOptions): Redis {
  const [url, options] = optionsFor(target, opts);
  return url === undefined ? new Redis(options) : new Redis(url, options);
}

/**
 * A Redis connection for a service loop: commands fail fast while Redis is away (no offline queue),
 * the client reconnects by itself, and connection faults are logged once per change.
 */
export function connectRedis(target: RedisTarget | string, faults: FaultLog, name = 'redis'): Redis {
  const redis = create(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
  });
  redis.on('error', (err) => faults.fail(name, err));
  redis.on('ready', () => faults.ok(name));
  return redis;
}

/** A connection for SUBSCRIBE: it keeps an offline queue so that subscriptions are replayed after a reconnect. */
export function connectSubscriber(target: RedisTarget | string, faults: FaultLog, name = 'redis-subscriber'): Redis {
  const redis = create(target, {
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  redis.on('error', (err) => faults.fail(name, err));
  redis.on('ready', () => faults.ok(name));
  return redis;
}
