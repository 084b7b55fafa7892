import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskUsage, readDisk, readHost, readNetCounters, temperature } from '../src/hostMetrics';

describe('diskUsage', () => {
  it('computes sizes in MiB and the used share like df', () => {
    // 4 KiB blocks: 1000 MiB total, 400 MiB free of which 300 MiB usable by users
    const d = diskUsage('/data', { bsize: 4096, blocks: 256_000, bfree: 102_400, bavail: 76_800 });
    expect(d).toEqual({ mount: '/data', size_mb: 1000, used_mb: 600, percent: 66.7 });
  });

  it('is 0 % for an empty file system', () => {
    expect(diskUsage('/x', { bsize: 4096, blocks: 0, bfree: 0, bavail: 0 }).percent).toBe(0);
  });
});

describe('temperature', () => {
  it('is null where no sensor reports', () => {
    expect(temperature(null)).toBeNull();
    expect(temperature(undefined)).toBeNull();
    expect(temperature(-1)).toBeNull();
    expect(temperature(Number.NaN)).toBeNull();
    expect(temperature(47.26)).toBe(47.3);
  });
});

describe('readers on this machine', () => {
  it('reads the real host', async () => {
    const host = await readHost();
    expect(host.ram_total_mb).toBeGreaterThan(0);
    expect(host.ram_used_mb).toBeGreaterThan(0);
    expect(host.ram_used_mb).toBeLessThanOrEqual(host.ram_total_mb);
    expect(host.cpu_per_core).toHaveLength(os.cpus().length);
    expect(host.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(host.load_avg).toHaveLength(3);
    expect(host.hostname).toBe(os.hostname());
    expect(host.uptime_s).toBeGreaterThan(0);
    expect(host.temperature_c === null || typeof host.temperature_c === 'number').toBe(true);
  });

  it('reads the usage of a path', async () => {
    const d = await readDisk('/');
    expect(d.mount).toBe('/');
    expect(d.size_mb).toBeGreaterThan(0);
    expect(d.percent).toBeGreaterThanOrEqual(0);
    expect(d.percent).toBeLessThanOrEqual(100);
  });

  it('reads the real interfaces from a /proc/net/dev-format file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sysmon-netdev-'));
    try {
      const file = path.join(dir, 'dev');
      await writeFile(file, 'h1\nh2\n lo: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n ens3: 10 0 0 0 0 0 0 0 20 0 0 0 0 0 0 0\n');
      const sample = await readNetCounters(file);
      expect(sample.counters).toEqual({ ens3: { rx: 10, tx: 20 } });
      expect(sample.at).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
