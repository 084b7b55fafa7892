import { ConfigError, historyTiersOrOff, int, logLevel, oneOf, str, redisTarget, type Env, type HistoryTier, type LogLevel, type RedisTarget } from '@mmon/shared';

export const CONTAINER_SCOPES = ['project', 'all'] as const;
export type ContainerScope = (typeof CONTAINER_SCOPES)[number];

export interface SysmonConfig {
  redis: RedisTarget;
  logLevel: LogLevel;
  intervalMs: number;
  /** Paths whose file system usage is reported (the data volumes). */
  diskPaths: string[];
  /**
   * A /proc/net/dev-format file with the byte counters of the network interfaces.
   * /proc/net/dev shows the network namespace of the reading process, so inside a container it
   * shows the container's own interfaces. In Compose the sysmon container runs with `pid: host`
   * and SYSMON_NET_DEV_FILE=/proc/1/net/dev: the host's init process lives in the host's network
   * namespace, so this file shows the host's interfaces. CPU, RAM, swap, load and uptime in /proc
   * are host-wide in any case.
   */
  netDevFile: string;
  /** Unix socket of a Docker Engine API (Docker or podman); container metrics are left out when it is absent. */
  dockerSocket: string;
  /** Value of the label com.docker.compose.project whose containers are listed (scope "project"). */
  composeProject: string;
  containerScope: ContainerScope;
  /** The host history's tiers (HISTORY_TIERS); null with HISTORY_TIERS=off. */
  historyTiers: HistoryTier[] | null;
}

export function readConfig(env: Env): SysmonConfig {
  return {
    redis: redisTarget(env),
    logLevel: logLevel(env),
    intervalMs: int(env, 'SYSMON_INTERVAL_MS', 5000, { min: 500, max: 3_600_000 }),
    diskPaths: pathList(env, 'SYSMON_DISK_PATHS', '/'),
    netDevFile: str(env, 'SYSMON_NET_DEV_FILE', '/proc/net/dev'),
    dockerSocket: str(env, 'DOCKER_SOCKET', '/var/run/docker.sock'),
    composeProject: str(env, 'SYSMON_COMPOSE_PROJECT', 'mediamtx-monitor'),
    containerScope: oneOf(env, 'SYSMON_CONTAINERS', 'project', CONTAINER_SCOPES),
    historyTiers: historyTiersOrOff(env),
  };
}

function pathList(env: Env, name: string, fallback: string): string[] {
  const paths = str(env, name, fallback)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const relative = paths.find((p) => !p.startsWith('/'));
  if (relative !== undefined) throw new ConfigError(name, `paths must be absolute, got "${relative}"`);
  if (paths.length === 0) throw new ConfigError(name, 'must name at least one path');
  return [...new Set(paths)];
}
