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

/** The fields of one point, as the script below writes them: [key, o, n, r, s, rtt, h]. */
function encode(stream: Stream): (string | number)[] {
  const num = (v: number | null) => (v === null ? '' : v);
  return [
    keys.streamHistory(stream.node, stream.name),
    stream.online ? 1 : 0,
    stream.readers,
    num(stream.recvRateMbps),
    num(stream.sendRateMbps),
    num(stream.rtt),
    stream.health.level,
  ];
}

/**
 * Appends every point inside Redis: one command carries them all, since ten thousand XADD and
 * EXPIRE commands cost the client far more CPU than the server (about 400 ms for 10k streams).
 */
const APPEND = `
local maxLen, ttl = ARGV[1], tonumber(ARGV[2])
for _, p in ipairs(cjson.decode(ARGV[3])) do
  redis.call('XADD', p[1], 'MAXLEN', '~', maxLen, '*',
    'o', tostring(p[2]), 'n', tostring(p[3]), 'r', tostring(p[4]), 's', tostring(p[5]), 'rtt', tostring(p[6]), 'h', p[7])
  redis.call('EXPIRE', p[1], ttl)
end
return 1
`;

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

  /** Appends one point per stream (timed by Redis' clock) in one command. */
  async append(streams: Stream[]): Promise<void> {
    if (streams.length === 0) return;
    const maxLen = Math.ceil(this.retentionMs / this.intervalMs) + 1;
    const ttl = Math.ceil(this.retentionMs / 1000);
    await this.redis.eval(APPEND, 0, maxLen, ttl, JSON.stringify(streams.map(encode)));
  }
}

/** The points of one stream since a time, oldest first. */
export async function readStreamHistory(redis: Redis, node: string, name: string, sinceMs: number): Promise<HistoryPoint[]> {
  const entries = await redis.xrange(keys.streamHistory(node, name), String(sinceMs), '+');
  return entries.map(([id, flat]) => decode(id, flat));
}
