import { int, logLevel, optionalStr, readNodes, redisTarget, str, type Env, type LogLevel, type RedisTarget } from '@mmon/shared';
import { DEFAULT_TEMPLATE, apiHost, checkTemplate } from './sourceUrl';

/** A MediaMTX node as the snapshotter needs it: its id and its API's host, without credentials. */
export interface SnapshotNode {
  id: string;
  host: string;
}

export interface SnapshotterConfig {
  redis: RedisTarget;
  logLevel: LogLevel;
  /** The nodes whose streams get thumbnails (MEDIAMTX_NODES, or MEDIAMTX_API_URL as "local"). */
  nodes: SnapshotNode[];
  intervalMs: number;
  width: number;
  concurrency: number;
  timeoutMs: number;
  killGraceMs: number;
  maxBackoffMs: number;
  /** With {host}, {node}, {name}. May hold credentials: log it only through redactUrl. */
  sourceTemplate: string;
  ffmpegPath: string;
}

export function readConfig(env: Env): SnapshotterConfig {
  const template = optionalStr(env, 'SNAPSHOT_SOURCE_URL');
  return {
    redis: redisTarget(env),
    logLevel: logLevel(env),
    nodes: readNodes(env).map((n) => ({ id: n.id, host: apiHost(n.baseUrl) })),
    intervalMs: int(env, 'SNAPSHOT_INTERVAL_MS', 10_000, { min: 200, max: 3_600_000 }),
    width: int(env, 'SNAPSHOT_WIDTH', 320, { min: 16, max: 3840 }),
    concurrency: int(env, 'SNAPSHOT_CONCURRENCY', 2, { min: 1, max: 64 }),
    timeoutMs: int(env, 'SNAPSHOT_TIMEOUT_MS', 8000, { min: 100, max: 600_000 }),
    killGraceMs: int(env, 'SNAPSHOT_KILL_GRACE_MS', 2000, { min: 0, max: 60_000 }),
    maxBackoffMs: int(env, 'SNAPSHOT_MAX_BACKOFF_MS', 300_000, { min: 0, max: 86_400_000 }),
    sourceTemplate: template === undefined ? DEFAULT_TEMPLATE : checkTemplate('SNAPSHOT_SOURCE_URL', template),
    ffmpegPath: str(env, 'FFMPEG_PATH', 'ffmpeg'),
  };
}
