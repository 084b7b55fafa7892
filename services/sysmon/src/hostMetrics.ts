import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import { parseNetDev, physicalInterfaces } from './netDev';
import { round, toMb, type CounterSample } from './rates';
import type { DiskUsage, SystemSample } from './types';

/** Host readings that need no previous sample. */
export type HostReadings = Pick<
  SystemSample,
  | 'cpu_percent'
  | 'cpu_per_core'
  | 'ram_used_mb'
  | 'ram_total_mb'
  | 'swap_used_mb'
  | 'swap_total_mb'
  | 'load_avg'
  | 'temperature_c'
  | 'uptime_s'
  | 'hostname'
>;

/**
 * CPU load (since the previous call, systeminformation keeps the baseline), memory, swap and
 * temperature from systeminformation; load, uptime and hostname from the kernel via node:os.
 * RAM "used" is total minus available, i.e. without reclaimable page cache.
 */
export async function readHost(): Promise<HostReadings> {
  const [load, mem, temp] = await Promise.all([si.currentLoad(), si.mem(), si.cpuTemperature()]);
  const [l1, l5, l15] = os.loadavg();
  return {
    cpu_percent: round(load.currentLoad, 2),
    cpu_per_core: load.cpus.map((c) => round(c.load, 2)),
    ram_used_mb: toMb(mem.total - mem.available),
    ram_total_mb: toMb(mem.total),
    swap_used_mb: toMb(mem.swapused),
    swap_total_mb: toMb(mem.swaptotal),
    load_avg: [round(l1, 2), round(l5, 2), round(l15, 2)],
    temperature_c: temperature(temp.main),
    uptime_s: Math.round(os.uptime()),
    hostname: os.hostname(),
  };
}

/** systeminformation reports null (or -1 in old versions) when there is no sensor. */
export function temperature(main: number | null | undefined): number | null {
  return typeof main === 'number' && Number.isFinite(main) && main > -273 && main !== -1 ? round(main, 1) : null;
}

/** The byte counters of the real (non-virtual) interfaces in a /proc/net/dev-format file. */
export async function readNetCounters(file: string): Promise<CounterSample> {
  const text = await readFile(file, 'utf8');
  return { at: Date.now(), counters: physicalInterfaces(parseNetDev(text)) };
}

export async function readDisk(path: string): Promise<DiskUsage> {
  return diskUsage(path, await statfs(path));
}

/** Like df: size is the whole file system, percent is used / (used + available to users). */
export function diskUsage(mount: string, s: { bsize: number; blocks: number; bfree: number; bavail: number }): DiskUsage {
  const used = (s.blocks - s.bfree) * s.bsize;
  const usable = used + s.bavail * s.bsize;
  return {
    mount,
    size_mb: toMb(s.blocks * s.bsize),
    used_mb: toMb(used),
    percent: usable > 0 ? round((used / usable) * 100, 1) : 0,
  };
}
