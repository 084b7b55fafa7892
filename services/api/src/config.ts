import { int, logLevel, redisTarget, str, type Env, type LogLevel, type RedisTarget } from '@mmon/shared';
import { DEFAULT_STATIC_DIR } from './app';

export interface ApiConfig {
  redis: RedisTarget;
  port: number;
  host: string;
  staticDir: string;
  logLevel: LogLevel;
}

export function readConfig(env: Env): ApiConfig {
  return {
    redis: redisTarget(env),
    port: int(env, 'API_PORT', 8080, { min: 0, max: 65535 }),
    host: str(env, 'API_HOST', '0.0.0.0'),
    staticDir: str(env, 'API_STATIC_DIR', DEFAULT_STATIC_DIR),
    logLevel: logLevel(env),
  };
}
