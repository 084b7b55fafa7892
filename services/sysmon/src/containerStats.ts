import { counterRates, round, toMb, type CounterSample } from './rates';

/** The parts of a Docker Engine API stats answer that are used; any of them may be missing (podman, Windows, stopped). */
export interface RawStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** What is kept of a container's previous sample to derive rates. */
export interface ContainerBaseline {
  cpuTotal: number | null;
  systemTotal: number | null;
  net: CounterSample;
}

export interface StatsMetrics {
  cpu_percent: number | null;
  mem_used_mb: number | null;
  mem_limit_mb: number | null;
  net_in_mbps: number | null;
  net_out_mbps: number | null;
}

/**
 * Derives a container's metrics from one-shot stats and its previous baseline. CPU % follows the
 * docker CLI (container CPU time delta / host CPU time delta x CPUs x 100) but over the time between
 * two of our samples, since one-shot stats carry no previous reading; a counter that went down
 * (container restarted) gives null and a new baseline.
 */
export function statsMetrics(stats: RawStats, prev: ContainerBaseline | undefined, at: number): { metrics: StatsMetrics; baseline: ContainerBaseline } {
  const cpu = stats.cpu_stats;
  const cpuTotal = finite(cpu?.cpu_usage?.total_usage);
  const systemTotal = finite(cpu?.system_cpu_usage);
  const cpus = finite(cpu?.online_cpus) || cpu?.cpu_usage?.percpu_usage?.length || 1;
  const net: CounterSample = { at, counters: {} };
  for (const [name, n] of Object.entries(stats.networks ?? {})) {
    const rx = finite(n.rx_bytes);
    const tx = finite(n.tx_bytes);
    if (rx !== null && tx !== null) net.counters[name] = { rx, tx };
  }
  const rates = stats.networks ? counterRates(prev?.net, net) : { inMbps: null, outMbps: null };
  const used = memoryUsed(stats.memory_stats);
  const limit = finite(stats.memory_stats?.limit);
  return {
    metrics: {
      cpu_percent: cpuPercent(prev?.cpuTotal ?? null, cpuTotal, prev?.systemTotal ?? null, systemTotal, cpus),
      mem_used_mb: used === null ? null : toMb(used),
      mem_limit_mb: limit ? toMb(limit) : null,
      net_in_mbps: rates.inMbps,
      net_out_mbps: rates.outMbps,
    },
    baseline: { cpuTotal, systemTotal, net },
  };
}

export function cpuPercent(
  cpuBefore: number | null,
  cpuNow: number | null,
  systemBefore: number | null,
  systemNow: number | null,
  cpus: number,
): number | null {
  if (cpuBefore === null || cpuNow === null || systemBefore === null || systemNow === null) return null;
  const cpuDelta = cpuNow - cpuBefore;
  const systemDelta = systemNow - systemBefore;
  if (cpuDelta < 0 || systemDelta <= 0) return null;
  return round((cpuDelta / systemDelta) * cpus * 100, 2);
}

/** Memory in use as the docker CLI shows it: usage without the inactive page cache (cgroup v1 and v2 names). */
export function memoryUsed(mem: RawStats['memory_stats']): number | null {
  const usage = finite(mem?.usage);
  if (usage === null) return null;
  const cache = finite(mem?.stats?.total_inactive_file) ?? finite(mem?.stats?.inactive_file) ?? 0;
  return cache < usage ? usage - cache : usage;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
