import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { createLogger } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';
import type { AuthConfig } from '../../../api/src/config';
import { startApi, type RunningApi } from '../../../api/src/server';

export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'public');

/** The real backend of the dashboard: redis-server and the api serving services/web/public. */
export interface Stack {
  redis: Redis;
  api: RunningApi;
  base: string;
  close(): Promise<void>;
}

/** `auth`: the api's access control (default: none, as without MONITOR_USERS_FILE). */
export async function startStack(auth?: AuthConfig): Promise<Stack> {
  // The npm "build" of @mmon/web: puts uPlot into public/vendor/.
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'vendor.js')], { stdio: 'ignore' });
  const redisServer = await RedisServer.start();
  const redis = new Redis(redisServer.url);
  const api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', staticDir: PUBLIC_DIR, logger: createLogger('web-test', 'error'), auth });
  return {
    redis,
    api,
    base: `http://127.0.0.1:${api.port}`,
    async close() {
      await api.close();
      redis.disconnect();
      await redisServer.stop();
    },
  };
}
