import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultLog, connectRedis, connectSubscriber, type Logger, type RedisTarget } from '@mmon/shared';
import { DEFAULT_STATIC_DIR, createApp } from './app';
import { Auth } from './auth/auth';
import type { AuthConfig } from './config';
import { LatestCache } from './latest';
import { sendPrepared } from './routes/streams';
import { attachWebSocket } from './ws';

export interface ApiOptions {
  redis: RedisTarget | string;
  port: number;
  host?: string;
  staticDir?: string;
  logger: Logger;
  /** Access control (config.ts readAuthConfig); default: no login, addresses whole. */
  auth?: AuthConfig;
}

const NO_AUTH: AuthConfig = {
  mode: 'none',
  users: new Map(),
  proxyHeader: null,
  trustedProxies: [],
  metricsToken: null,
  maskAddresses: false,
  sessionTtlMs: 12 * 3_600_000,
};

export interface RunningApi {
  port: number;
  close(): Promise<void>;
}

const FAST_PATH = '/api/streams/latest';

/**
 * Starts the HTTP server: the access gate (auth.ts) in front of everything, then Express for every
 * route, with /api/streams/latest (no query) answered straight from the prepared merged body before
 * Express's routing, since it is the hot path.
 */
export async function startApi(opts: ApiOptions): Promise<RunningApi> {
  const faults = new FaultLog(opts.logger);
  const redis = connectRedis(opts.redis, faults, 'redis');
  const subscriber = connectSubscriber(opts.redis, faults);
  const cache = new LatestCache(redis, subscriber, opts.logger);
  const auth = new Auth(opts.auth ?? NO_AUTH, redis, opts.logger);
  const app = createApp({ redis, logger: opts.logger }, cache, opts.staticDir ?? DEFAULT_STATIC_DIR, auth);
  const server = http.createServer((req, res) => {
    auth.gate(req, res, () => {
      if (req.method === 'GET' && req.url === FAST_PATH) return sendPrepared(req, res, cache.streams.body, cache.streams.etag);
      app(req, res);
    });
  });
  server.keepAliveTimeout = 65_000;
  const wss = attachWebSocket(server, cache, redis, opts.logger, auth);
  await cache.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
