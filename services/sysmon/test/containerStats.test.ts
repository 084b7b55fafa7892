import { cpuPercent, memoryUsed, statsMetrics, type RawStats } from '../src/containerStats';

const MiB = 1024 * 1024;

function stats(cpu: number, system: number, rx: number, tx: number): RawStats {
  return {
    cpu_stats: { cpu_usage: { total_usage: cpu }, system_cpu_usage: system, online_cpus: 4 },
    memory_stats: { usage: 300 * MiB, limit: 1024 * MiB, stats: { inactive_file: 100 * MiB } },
    networks: { eth0: { rx_bytes: rx, tx_bytes: tx } },
  };
}

describe('statsMetrics', () => {
  it('has memory but no CPU or network rates on the first sample', () => {
    const { metrics, baseline } = statsMetrics(stats(1e9, 100e9, 1000, 2000), undefined, 10_000);
    expect(metrics).toEqual({ cpu_percent: null, mem_used_mb: 200, mem_limit_mb: 1024, net_in_mbps: null, net_out_mbps: null });
    expect(baseline).toEqual({ cpuTotal: 1e9, systemTotal: 100e9, net: { at: 10_000, counters: { eth0: { rx: 1000, tx: 2000 } } } });
  });

  it('derives CPU % and network rates from the previous sample', () => {
    const first = statsMetrics(stats(1e9, 100e9, 0, 0), undefined, 0);
    // 0.5 s of CPU while the 4 host CPUs ran 20 s in total: 2.5 % of all = 10 % of one CPU
    const second = statsMetrics(stats(1.5e9, 120e9, 1_250_000, 250_000), first.baseline, 5_000);
    expect(second.metrics.cpu_percent).toBe(10);
    expect(second.metrics.net_in_mbps).toBe(2);
    expect(second.metrics.net_out_mbps).toBe(0.4);
  });

  it('starts over when the container restarted (counters went down)', () => {
    const first = statsMetrics(stats(5e9, 100e9, 9_000_000, 9_000_000), undefined, 0);
    const second = statsMetrics(stats(1e8, 110e9, 1000, 1000), first.baseline, 5_000);
    expect(second.metrics.cpu_percent).toBeNull();
    expect(second.metrics.net_in_mbps).toBe(0);
    expect(second.metrics.net_out_mbps).toBe(0);
  });

  it('copes with missing parts (no network, no memory stats)', () => {
    const { metrics } = statsMetrics({ cpu_stats: { cpu_usage: { total_usage: 1 } } }, undefined, 0);
    expect(metrics).toEqual({ cpu_percent: null, mem_used_mb: null, mem_limit_mb: null, net_in_mbps: null, net_out_mbps: null });
  });
});

describe('cpuPercent', () => {
  it('follows the docker CLI formula', () => {
    expect(cpuPercent(0, 2e9, 0, 4e9, 2)).toBe(100);
  });

  it('is null without a baseline, without host time passing, or after a reset', () => {
    expect(cpuPercent(null, 1, 0, 1, 1)).toBeNull();
    expect(cpuPercent(0, 1, 5, 5, 1)).toBeNull();
    expect(cpuPercent(9, 1, 0, 10, 1)).toBeNull();
  });
});

describe('memoryUsed', () => {
  it('subtracts the inactive page cache (cgroup v1 and v2 names)', () => {
    expect(memoryUsed({ usage: 500, stats: { total_inactive_file: 100 } })).toBe(400);
    expect(memoryUsed({ usage: 500, stats: { inactive_file: 200 } })).toBe(300);
    expect(memoryUsed({ usage: 500 })).toBe(500);
    expect(memoryUsed({ usage: 500, stats: { inactive_file: 900 } })).toBe(500);
    expect(memoryUsed(undefined)).toBeNull();
  });
});
