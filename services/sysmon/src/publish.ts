import type Redis from 'ioredis';
import { keys, type HostHistorySample, type HostHistoryWriter } from '@mmon/shared';
import type { SystemSample } from './types';

/** The figures of a sample that the host's history keeps: the design's names, load (1 min) and each disk's used percent. */
export function hostHistorySample(sample: SystemSample): HostHistorySample {
  const out: HostHistorySample = {
    cpu_percent: sample.cpu_percent,
    ram_used_mb: sample.ram_used_mb,
    net_in_mbps: sample.net_in_mbps,
    net_out_mbps: sample.net_out_mbps,
    load: sample.load_avg[0],
    temperature_c: sample.temperature_c,
  };
  for (const disk of sample.disks) out[`disk_percent:${disk.mount}`] = disk.percent;
  return out;
}

/**
 * Writes the sample to mediamtx:system:latest and announces it on mediamtx:updates, in one
 * transaction; then adds it to the host's history (when given), timed by the sample.
 */
export async function publishSample(redis: Redis, sample: SystemSample, history: HostHistoryWriter | null = null): Promise<void> {
  const message = JSON.stringify({ kind: 'system', at: sample.sampledAt });
  const res = await redis.multi().set(keys.systemLatest, JSON.stringify(sample)).publish(keys.updates, message).exec();
  if (!res) throw new Error('transaction aborted');
  for (const [err] of res) if (err) throw err;
  if (history === null) return;
  const before = history.lastWrite;
  await history.append(hostHistorySample(sample), Date.parse(sample.sampledAt));
  const written = history.lastWrite;
  if (written !== before && written.failed > 0) throw new Error(`host history not written: ${written.error}`);
}
