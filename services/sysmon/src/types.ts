/**
 * The object sysmon writes to mediamtx:system:latest. The names cpu_percent … temperature_c are the
 * design's contract; sampledAt and intervalMs are read by the API's health check (stale after 3 x intervalMs).
 */
export interface SystemSample {
  cpu_percent: number;
  cpu_per_core: number[];
  ram_used_mb: number;
  ram_total_mb: number;
  swap_used_mb: number;
  swap_total_mb: number;
  /** Host network rates over all real interfaces; null on the first sample (no baseline yet). */
  net_in_mbps: number | null;
  net_out_mbps: number | null;
  /** [1 min, 5 min, 15 min] */
  load_avg: [number, number, number];
  /** Main CPU temperature; null where the machine reports none. */
  temperature_c: number | null;
  disks: DiskUsage[];
  uptime_s: number;
  hostname: string;
  sampledAt: string;
  intervalMs: number;
  /** Absent when no Docker Engine API is reachable. */
  containers?: ContainerMetrics[];
}

export interface DiskUsage {
  /** The configured path (SYSMON_DISK_PATHS). */
  mount: string;
  size_mb: number;
  used_mb: number;
  /** Used share of the space available to unprivileged users, like df's Use%. */
  percent: number;
}

export interface ContainerMetrics {
  name: string;
  /** Short id (12 hex digits). */
  id: string;
  image: string;
  /** The Compose service (label com.docker.compose.service), null outside Compose. */
  service: string | null;
  /** running, exited, restarting, … */
  state: string;
  /** healthy, unhealthy, starting; null without a health check. */
  health: string | null;
  restart_count: number;
  /** Percent of one CPU (can exceed 100 on several cores); null until two samples exist or when not running. */
  cpu_percent: number | null;
  mem_used_mb: number | null;
  mem_limit_mb: number | null;
  net_in_mbps: number | null;
  net_out_mbps: number | null;
}
