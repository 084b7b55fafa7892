import { ConfigError, int, logLevel, optionalStr, redisUrl, url, type Env, type LogLevel } from '@mmon/shared';
import { healthRulesFromEnv } from './healthConfig';
import type { HealthRules } from './health';

/** One MediaMTX server to watch. Credentials are kept apart from the URL so the URL can be logged. */
export interface NodeTarget {
  id: string;
  baseUrl: string;
  user?: string;
  pass?: string;
}

export interface CollectorConfig {
  redisUrl: string;
  logLevel: LogLevel;
  nodes: NodeTarget[];
  timeoutMs: number;
  intervalMs: number;
  pageSize: number;
  excludePrefixes: string[];
  health: HealthRules;
  /** How long a node's streams outlive its last write (its collector gone). */
  nodeTtlSeconds: number;
  /** How long a stream that vanished from MediaMTX stays listed as offline. */
  goneRetentionMs: number;
  /** One history point per stream this often (0: none), kept this long. */
  historyIntervalMs: number;
  historyRetentionMs: number;
}

const NODE_ID = /^[A-Za-z0-9._-]+$/;

export function readConfig(env: Env): CollectorConfig {
  const intervalMs = int(env, 'COLLECT_INTERVAL_MS', 1000, { min: 200, max: 3_600_000 });
  return {
    redisUrl: redisUrl(env),
    logLevel: logLevel(env),
    nodes: readNodes(env),
    timeoutMs: int(env, 'MEDIAMTX_TIMEOUT_MS', 3000, { min: 100, max: 120_000 }),
    intervalMs,
    pageSize: int(env, 'MEDIAMTX_PAGE_SIZE', 1000, { min: 1, max: 100_000 }),
    excludePrefixes: (optionalStr(env, 'MEDIAMTX_EXCLUDE_PREFIXES') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    health: healthRulesFromEnv(env),
    nodeTtlSeconds: int(env, 'NODE_TTL_SECONDS', Math.max(300, Math.ceil((intervalMs * 60) / 1000)), { min: 10 }),
    goneRetentionMs: int(env, 'STREAM_GONE_RETENTION_MS', 600_000, { min: 0 }),
    historyIntervalMs: int(env, 'HISTORY_INTERVAL_MS', 10_000, { min: 0 }),
    historyRetentionMs: int(env, 'HISTORY_RETENTION_MS', 3_600_000, { min: 1000, max: 7 * 24 * 3_600_000 }),
  };
}

/**
 * MEDIAMTX_NODES="id=url,id2=url2" lists several servers (URLs may carry user:password);
 * without it, MEDIAMTX_API_URL (with MEDIAMTX_API_USER/MEDIAMTX_API_PASS) is the single node "local".
 */
export function readNodes(env: Env): NodeTarget[] {
  const list = optionalStr(env, 'MEDIAMTX_NODES');
  const user = optionalStr(env, 'MEDIAMTX_API_USER');
  const pass = env.MEDIAMTX_API_PASS ?? undefined;
  if (list === undefined) {
    return [target('local', url(env, 'MEDIAMTX_API_URL', 'http://127.0.0.1:9997', ['http', 'https']), user, pass)];
  }
  const nodes = list.split(',').map((entry, i) => {
    const eq = entry.indexOf('=');
    const id = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (eq < 0 || !NODE_ID.test(id)) {
      throw new ConfigError('MEDIAMTX_NODES', `entry ${i + 1} must be id=url with an id of letters, digits, '.', '_' or '-'`);
    }
    return target(id, url({ [`MEDIAMTX_NODES`]: value }, 'MEDIAMTX_NODES', '', ['http', 'https']), user, pass);
  });
  const ids = new Set(nodes.map((n) => n.id));
  if (ids.size !== nodes.length) throw new ConfigError('MEDIAMTX_NODES', 'node ids must be unique');
  return nodes;
}

function target(id: string, parsed: URL, user: string | undefined, pass: string | undefined): NodeTarget {
  const node: NodeTarget = { id, baseUrl: '' };
  if (parsed.username !== '') {
    node.user = decodeURIComponent(parsed.username);
    node.pass = decodeURIComponent(parsed.password);
  } else if (user !== undefined) {
    node.user = user;
    node.pass = pass ?? '';
  }
  parsed.username = '';
  parsed.password = '';
  node.baseUrl = parsed.toString().replace(/\/+$/, '');
  return node;
}
