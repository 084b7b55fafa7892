import type Redis from 'ioredis';
import { keys } from '@mmon/shared';
import type { SystemSample } from './types';

/** Writes the sample to mediamtx:system:latest and announces it on mediamtx:updates, in one transaction. */
export async function publishSample(redis: Redis, sample: SystemSample): Promise<void> {
  const message = JSON.stringify({ kind: 'system', at: sample.sampledAt });
  const res = await redis.multi().set(keys.systemLatest, JSON.stringify(sample)).publish(keys.updates, message).exec();
  if (!res) throw new Error('transaction aborted');
  for (const [err] of res) if (err) throw err;
}
