import {
  historyTiersOrOff,
  int,
  logLevel,
  num,
  optionalStr,
  readNodes,
  redisTarget,
  type Env,
  type HistoryTier,
  type LogLevel,
  type NodeTarget,
  type RedisTarget,
} from '@mmon/shared';
import { healthRulesFromEnv } from './healthConfig';
import type { HealthRules } from './health';

export interface CollectorConfig {
  redis: RedisTarget;
  logLevel: LogLevel;
  nodes: NodeTarget[];
  timeoutMs: number;
  intervalMs: number;
  pageSize: number;
  /** The most items one MediaMTX list may hold; more is a fault. */
  maxItems: number;
  /** The most a link plausibly carries (Gbit/s): a counter growing faster starts a new baseline. */
  maxPlausibleGbps: number;
  excludePrefixes: string[];
  health: HealthRules;
  /** How long a node's streams outlive its last write (its collector gone). */
  nodeTtlSeconds: number;
  /** How long a stream that vanished from MediaMTX stays listed as offline. */
  goneRetentionMs: number;
  /** The history tiers (HISTORY_TIERS), finest first; null with HISTORY_TIERS=off (no history). */
  historyTiers: HistoryTier[] | null;
  /** Up to this many connections on a node, its connection lists are read in every cycle. */
  detailEveryCycleMaxConns: number;
  /** Above that, connection detail is refreshed at least this often (and viewed streams every cycle). */
  detailMaxAgeMs: number;
}

export function readConfig(env: Env): CollectorConfig {
  const intervalMs = int(env, 'COLLECT_INTERVAL_MS', 1000, { min: 200, max: 3_600_000 });
  return {
    redis: redisTarget(env),
    logLevel: logLevel(env),
    nodes: readNodes(env),
    timeoutMs: int(env, 'MEDIAMTX_TIMEOUT_MS', 3000, { min: 100, max: 120_000 }),
    intervalMs,
    pageSize: int(env, 'MEDIAMTX_PAGE_SIZE', 1000, { min: 1, max: 100_000 }),
    maxItems: int(env, 'MEDIAMTX_MAX_ITEMS', 100_000, { min: 1 }),
    // At most 1000 Gbit/s: no derived rate may exceed the 1,000,000 Mbit/s that is ever served.
    maxPlausibleGbps: num(env, 'MEDIAMTX_MAX_PLAUSIBLE_GBPS', 100, { min: 0.001, max: 1000 }),
    excludePrefixes: (optionalStr(env, 'MEDIAMTX_EXCLUDE_PREFIXES') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    health: healthRulesFromEnv(env),
    nodeTtlSeconds: int(env, 'NODE_TTL_SECONDS', Math.max(300, Math.ceil((intervalMs * 60) / 1000)), { min: 10 }),
    goneRetentionMs: int(env, 'STREAM_GONE_RETENTION_MS', 600_000, { min: 0 }),
    historyTiers: historyTiersOrOff(env),
    detailEveryCycleMaxConns: int(env, 'DETAIL_EVERY_CYCLE_MAX_CONNS', 2000, { min: 0 }),
    detailMaxAgeMs: int(env, 'DETAIL_MAX_AGE_MS', 5000, { min: 200, max: 5000 }),
  };
}

