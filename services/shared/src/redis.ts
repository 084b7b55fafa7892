import Redis, { type RedisOptions } from 'ioredis';
import type { RedisTarget } from './config';
import { FaultLog } from './logger';

/**
 * ioredis options for a target: the URL's database, credentials and TLS, and, with Sentinels,
 * the primary they report. ioredis asks them again on every reconnect and checks that the server
 * it reaches is a primary; Sentinel itself closes the clients of the servers it reconfigures, so a
 * failover is followed whether or not the old primary is still running.
 */
function optionsFor(target: RedisTarget | string, base: RedisOptions): [string | undefined, RedisOptions] {
  const t: RedisTarget = typeof target === 'string' ? { url: target, sentinels: [], sentinelName: '' } : target;
  if (t.sentinels.length === 0) return [t.url, base];
  const u = new URL(t.url);
  const tls = u.protocol === 'rediss:';
  return [
    undefined,
    {
      ...base,
      sentinels: t.sentinels,
      name: t.sentinelName,
      db: Number(u.pathname.slice(1) || 0),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      // Without enableTLSForSentinelMode ioredis would reach the primary over plain TCP despite rediss:.
      tls: tls ? {} : undefined,
      enableTLSForSentinelMode: tls,
      // A Sentinel that accepts connections but never answers (stopped, overloaded) is passed over
      // instead of being waited on for ever.
      sentinelCommandTimeout: base.connectTimeout,
      sentinelRetryStrategy: (times) => Math.min(100 * times, 2000),
      failoverDetector: true,
    },
  ];
}

function create(target: RedisTarget | string, opts: RedisOptions, faults: FaultLog, name: string): Redis {
  const [url, options] = optionsFor(target, opts);
  const redis = url === undefined ? new Redis(options) : new Redis(url, options);
  // One line when an outage starts (its first error) and one when it ends: while reconnecting,
  // and through Sentinels above all, the errors alternate (the old primary refusing, each
  // Sentinel asked in turn), which would otherwise log a line per attempt.
  redis.on('error', (err) => {
    if (faults.failing(name) === undefined) faults.fail(name, err);
  });
  redis.on('ready', () => faults.ok(name));
  reconnectAfterEnd(redis, faults, name);
  return redis;
}

/** How long after an unexpected end a connection is opened again. */
const RECONNECT_AFTER_END_MS = 1000;

/**
 * ioredis ends a connection for good, without retrying, when its connector is closed while it
 * connects. Its Sentinel failover detector does exactly that when the Sentinels announce the new
 * primary during a reconnect: in a rare run of the failover test it left the api without Redis
 * for good. A connection that ends without disconnect() or quit() having been called is connected
 * again (the connector asks the Sentinels anew).
 */
function reconnectAfterEnd(redis: Redis, faults: FaultLog, name: string): void {
  let closing = false;
  const disconnect = redis.disconnect.bind(redis);
  redis.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  const quit = redis.quit.bind(redis);
  redis.quit = ((...args: unknown[]) => {
    closing = true;
    return (quit as (...a: unknown[]) => Promise<'OK'>)(...args);
  }) as Redis['quit'];
  redis.on('end', () => {
    if (closing) return;
    if (faults.failing(name) === undefined) faults.fail(name, new Error('connection ended; connecting again'));
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined); // a failure ends it again, and this runs again
    }, RECONNECT_AFTER_END_MS).unref();
  });
}

/**
 * A Redis connection for a service loop: commands fail fast while Redis is away (no offline queue),
 * the client reconnects by itself, and each outage is logged when it starts and when it ends.
 */
export function connectRedis(target: RedisTarget | string, faults: FaultLog, name = 'redis'): Redis {
  return create(
    target,
    {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
      lazyConnect: false,
    },
    faults,
    name,
  );
}

/**
 * A connection for SUBSCRIBE: it keeps an offline queue, and the channels subscribed on it are
 * subscribed again every time it is ready. ioredis resubscribes by itself, but in the Sentinel
 * failover test the subscription was lost in about one run in four (the connection was closed
 * again, by the failover detector, while it was still reconnecting); SUBSCRIBE to a channel
 * already subscribed changes nothing, so renewing it ourselves costs one command per reconnect.
 */
export function connectSubscriber(target: RedisTarget | string, faults: FaultLog, name = 'redis-subscriber'): Redis {
  const redis = create(
    target,
    {
      maxRetriesPerRequest: null,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    },
    faults,
    name,
  );
  const channels = new Set<string>();
  const subscribe = redis.subscribe.bind(redis) as (...channels: string[]) => Promise<unknown>;
  redis.subscribe = ((...names: string[]) => {
    for (const channel of names) channels.add(channel);
    return subscribe(...names);
  }) as Redis['subscribe'];
  redis.on('ready', () => {
    if (channels.size > 0) subscribe(...channels).catch((err: unknown) => faults.fail(name, err));
  });
  return redis;
}
