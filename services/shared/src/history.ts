import type Redis from 'ioredis';
import { keys } from './keys';
import type { HealthLevel, Stream } from './model';

/** One point of a stream's history. */
export interface HistoryPoint {
  /** Milliseconds since the epoch. */
  t: number;
  online: boolean;
  readers: number;
  recvRateMbps: number | null;
  sendRateMbps: number | null;
  rtt: number | null;
  health: HealthLevel;
}

function encode(stream: Stream): string[] {
  const num = (v: number | null) => (v === null ? '' : String(v));
  return [
    'o', stream.online ? '1' : '0',
    'n', String(stream.readers),
    'r', num(stream.recvRateMbps),
    's', num(stream.sendRateMbps),
    'rtt', num(stream.rtt),
    'h', stream.health.level,
  ];
}

function decode(id: string, flat: string[]): HistoryPoint {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return {
    t: Number(id.slice(0, id.indexOf('-'))),
    online: f.o === '1',
    readers: Number(f.n ?? 0),
    recvRateMbps: num(f.r),
    sendRateMbps: num(f.s),
    rtt: num(f.rtt),
    health: (f.h as HealthLevel | undefined) ?? 'ok',
  };
}

/**
 * Streams' history as Redis Streams (the design's mediamtx:history:*), one key per stream, each
 * capped to the retention and expiring with it, so a stream that went away takes its history along.
 */
export class StreamHistoryWriter {
  constructor(
    private readonly redis: Redis,
    private readonly retentionMs: number,
    private readonly intervalMs: number,
  ) {}

  /** Appends one point per stream (timed by Redis' clock), all in one round trip. */
  async append(streams: Stream[]): Promise<void> {
    if (streams.length === 0) return;
    const maxLen = Math.ceil(this.retentionMs / this.intervalMs) + 1;
    const ttl = Math.ceil(this.retentionMs / 1000);
    const pipeline = this.redis.pipeline();
    for (const stream of streams) {
      const key = keys.streamHistory(stream.node, stream.name);
      pipeline.xadd(key, 'MAXLEN', '~', maxLen, '*', ...encode(stream));
      pipeline.expire(key, ttl);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}

/** The points of one stream since a time, oldest first. */
export async function readStreamHistory(redis: Redis, node: string, name: string, sinceMs: number): Promise<HistoryPoint[]> {
  const entries = await redis.xrange(keys.streamHistory(node, name), String(sinceMs), '+');
  return entries.map(([id, flat]) => decode(id, flat));
}
