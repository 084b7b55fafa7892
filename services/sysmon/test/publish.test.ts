import { HostHistoryWriter, historyTiers, keys, readHostHistory } from '@mmon/shared';
import { useRedis } from '@mmon/test-support';
import { hostHistorySample, publishSample } from '../src/publish';
import type { SystemSample } from '../src/types';

const T0 = Date.UTC(2026, 10, 1);

function sample(atMs: number, cpu: number): SystemSample {
  return {
    cpu_percent: cpu,
    cpu_per_core: [cpu],
    ram_used_mb: 1024,
    ram_total_mb: 4096,
    swap_used_mb: 0,
    swap_total_mb: 0,
    net_in_mbps: null,
    net_out_mbps: 2,
    load_avg: [0.5, 0.4, 0.3],
    temperature_c: 48,
    disks: [
      { mount: '/', size_mb: 1000, used_mb: 400, percent: 40 },
      { mount: '/data', size_mb: 1000, used_mb: 900, percent: 90 },
    ],
    uptime_s: 100,
    hostname: 'h',
    sampledAt: new Date(atMs).toISOString(),
    intervalMs: 5000,
  };
}

describe('publishSample', () => {
  const db = useRedis();

  test('keeps the design figures, the 1-minute load and each disk in history', () => {
    expect(hostHistorySample(sample(T0, 12))).toEqual({
      cpu_percent: 12,
      ram_used_mb: 1024,
      net_in_mbps: null,
      net_out_mbps: 2,
      load: 0.5,
      temperature_c: 48,
      'disk_percent:/': 40,
      'disk_percent:/data': 90,
    });
  });

  test("writes the latest sample and the host's history, timed by the sample", async () => {
    const history = new HostHistoryWriter(db.redis, historyTiers({}));
    for (let s = 0; s <= 20; s += 5) await publishSample(db.redis, sample(T0 + s * 1000, s === 5 ? 80 : 10), history);
    expect(JSON.parse((await db.redis.get(keys.systemLatest))!).sampledAt).toBe(new Date(T0 + 20_000).toISOString());
    const { points } = await readHostHistory(db.redis, { fromMs: T0, toMs: T0 + 19_999, nowMs: T0 + 20_000 });
    expect(points).toMatchObject([
      { t: T0, cpu_percent: 45, load: 0.5, disk_percent: { '/': 40, '/data': 90 }, max: { cpu_percent: 80 }, min: { cpu_percent: 10 } },
      { t: T0 + 10_000, cpu_percent: 10, temperature_c: 48, net_in_mbps: null },
    ]);
  });

  test('a history that cannot be written is an error after the latest sample was written', async () => {
    await db.redis.set(keys.hostHistory('10s'), 'not a stream');
    const history = new HostHistoryWriter(db.redis, historyTiers({}));
    await publishSample(db.redis, sample(T0 + 100_000, 1), history);
    await expect(publishSample(db.redis, sample(T0 + 110_000, 2), history)).rejects.toThrow(/host history not written: WRONGTYPE/);
    expect(JSON.parse((await db.redis.get(keys.systemLatest))!).cpu_percent).toBe(2);
  });
});
