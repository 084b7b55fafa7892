import { int, logLevel, optionalStr, redisTarget, str, url, type Env, type LogLevel, type RedisTarget } from '@mmon/shared';
import { checkTemplate, defaultTemplate } from './sourceUrl';

export interface SnapshotterConfig {
  redis: RedisTarget;
  logLevel: LogLevel;
  intervalMs: number;
  width: number;
  concurrency: number;
  timeoutMs: number;
  killGraceMs: number;
  maxBackoffMs: number;
  /** May hold credentials: log it only through redactUrl. */
  sourceTemplate: string;
  ffmpegPath: string;
}

export function readConfig(env: Env): SnapshotterConfig {
  const template = optionalStr(env, 'SNAPSHOT_SOURCE_URL');
  return {
    redis: redisTarget(env),
    logLevel: logLevel(env),
    intervalMs: int(env, 'SNAPSHOT_INTERVAL_MS', 10_000, { min: 200, max: 3_600_000 }),
    width: int(env, 'SNAPSHOT_WIDTH', 320, { min: 16, max: 3840 }),
    concurrency: int(env, 'SNAPSHOT_CONCURRENCY', 2, { min: 1, max: 64 }),
    timeoutMs: int(env, 'SNAPSHOT_TIMEOUT_MS', 8000, { min: 100, max: 600_000 }),
    killGraceMs: int(env, 'SNAPSHOT_KILL_GRACE_MS', 2000, { min: 0, max: 60_000 }),
    maxBackoffMs: int(env, 'SNAPSHOT_MAX_BACKOFF_MS', 300_000, { min: 0, max: 86_400_000 }),
    sourceTemplate:
      template === undefined
        ? defaultTemplate(url(env, 'MEDIAMTX_API_URL', 'http://127.0.0.1:9997', ['http', 'https']))
        : checkTemplate('SNAPSHOT_SOURCE_URL', template),
    ffmpegPath: str(env, 'FFMPEG_PATH', 'ffmpeg'),
  };
}
