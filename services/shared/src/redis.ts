import Redis from 'ioredis';
import { FaultLog } from './logger';

/**
 * A Redis connection for a service loop: commands fail fast while Redis is away (no offline queue),
 * the client reconnects by itself, and connection faults are logged once per change.
 */
export function connectRedis(url: string, faults: FaultLog, name = 'redis'): Redis {
  const redis = new Redis(url, {
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
export function connectSubscriber(url: string, faults: FaultLog, name = 'redis-subscriber'): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  redis.on('error', (err) => faults.fail(name, err));
  redis.on('ready', () => faults.ok(name));
  return redis;
}
