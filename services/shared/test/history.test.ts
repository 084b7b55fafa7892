import Redis from 'ioredis';
import { useRedis } from '@mmon/test-support';
import { ConfigError } from '../src/config';
import {
  DEFAULT_HISTORY_TIERS,
  HostHistoryWriter,
  StreamHistoryWriter,
  historyTiers,
  parseHistoryTiers,
  readHostHistory,
  readStreamHistory,
  type HistorySource,
} from '../src/history';
import { keys } from '../src/keys';

const S = 1000;
const MIN = 60 * S;
/** A start aligned to every default tier (10 s, 1 min, 10 min). */
const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const stream = (name: string, over: Partial<HistorySource> = {}): HistorySource => ({
  node: 'n',
  name,
  online: true,
  readers: 2,
  recvRateMbps: 5,
  sendRateMbps: 10,
  rtt: 20,
  linkCapacityMbps: 100,
  srt10s: { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 },
  health: { level: 'ok', reasons: [] },
  ...over,
});

/** The stream's stored entries of one tier: [bucket start, name -> stored value]. */
async function entries(redis: Redis, tier: string, name: string, node = 'n'): Promise<[number, Record<string, unknown>][]> {
  const raw = await redis.xrange(keys.streamHistory(tier, node, name), '-', '+');
  return raw.map(([id, [layout, values]]) => {
    const v = JSON.parse(values) as unknown[];
    return [Number(id.split('-')[0]), Object.fromEntries(layout.split(',').map((name, i) => [name, v[i]]))];
  });
}

describe('history tiers (HISTORY_TIERS)', () => {
  test('the default is 10 s for 1 h, 1 min for 24 h, 10 min for 30 days', () => {
    expect(historyTiers({})).toEqual([
      { resolutionMs: 10 * S, retentionMs: HOUR },
      { resolutionMs: MIN, retentionMs: DAY },
      { resolutionMs: 10 * MIN, retentionMs: 30 * DAY },
    ]);
    expect(historyTiers({ HISTORY_TIERS: ' 5s:3h , 1h:90d ' })).toEqual([
      { resolutionMs: 5 * S, retentionMs: 3 * HOUR },
      { resolutionMs: HOUR, retentionMs: 90 * DAY },
    ]);
  });

  test.each([
    ['10s', /resolution:retention/],
    ['10x:1h', /resolution:retention/],
    ['10s:1h:2h', /resolution:retention/],
    ['500ms:1m', /at least 1s/],
    ['10s:15s', /at least two points/],
    ['1s:30d', /at most 100000 points/],
    ['1m:24h,10s:1h', /finest first/],
    ['10s:1h,15s:2h', /multiple/],
    ['10s:1m,1m:1h', /two 1m buckets/],
    ['1m:24h,10m:12h', /kept longer/],
    [',', /at least one tier/],
  ])('HISTORY_TIERS=%s is a ConfigError naming the variable', (value, message) => {
    let error: unknown;
    try {
      historyTiers({ HISTORY_TIERS: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('HISTORY_TIERS');
    expect((error as Error).message).toMatch(/^HISTORY_TIERS: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('tiered history in Redis Streams, on a scripted clock', () => {
  const db = useRedis();
  const tiers = parseHistoryTiers(DEFAULT_HISTORY_TIERS);

  describe('22 minutes of one-second samples', () => {
    const name = 'live/feed';
    // t in seconds since T0: a one-second RTT spike at 125 s, offline 300-329 s (crit), one warn sample at 400 s,
    // the receive rate alternating 4 and 6.
    const at = (s: number): HistorySource => {
      const online = s < 300 || s >= 330;
      return stream(name, {
        online,
        rtt: online ? (s === 125 ? 900 : 20) : null,
        recvRateMbps: online ? (s % 2 === 0 ? 4 : 6) : null,
        readers: online ? 2 : 0,
        health: { level: !online ? 'crit' : s === 400 ? 'warn' : 'ok', reasons: [] },
        srt10s: online ? { loss: s === 500 ? 7 : 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 } : null,
      });
    };
    beforeAll(async () => {
      const writer = new StreamHistoryWriter(db.redis, tiers);
      for (let s = 0; s <= 1275; s++) await writer.append([at(s)], T0 + s * S);
    });

    test('the finest tier holds one bucket per 10 s: averages, min and max of the samples', async () => {
      const { resolutionMs, points } = await readStreamHistory(db.redis, 'n', name, { fromMs: T0 + 120 * S, toMs: T0 + 139 * S, nowMs: T0 + 1300 * S });
      expect(resolutionMs).toBe(10 * S);
      expect(points).toHaveLength(2);
      const [spike, after] = points;
      expect(spike).toMatchObject({ t: T0 + 120 * S, online: 1, health: 'ok', readers: 2, recvRateMbps: 5, sendRateMbps: 10, rtt: 108, linkCapacityMbps: 100, srtLoss: 0 });
      expect(spike.min).toMatchObject({ rtt: 20, recvRateMbps: 4, readers: 2 });
      expect(spike.max).toMatchObject({ rtt: 900, recvRateMbps: 6, readers: 2 });
      expect(after).toMatchObject({ t: T0 + 130 * S, rtt: 20, max: { rtt: 20 } });
    });

    test('coarser tiers roll up: average, min, max, worst health, online fraction; the one-second spike stays the max', async () => {
      // from older than 1 h: the 1-minute tier
      const minute = await readStreamHistory(db.redis, 'n', name, { fromMs: T0, toMs: T0 + 10 * MIN - 1, nowMs: T0 + 2 * HOUR });
      expect(minute.resolutionMs).toBe(MIN);
      expect(minute.points.map((p) => p.t)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * MIN));
      expect(minute.points[2]).toMatchObject({ min: { rtt: 20 }, max: { rtt: 900 }, online: 1, health: 'ok' });
      expect(minute.points[2].rtt).toBeCloseTo((59 * 20 + 900) / 60, 2);
      expect(minute.points[5]).toMatchObject({ online: 0.5, health: 'crit', rtt: 20, readers: 1, min: { readers: 0 }, max: { readers: 2 } });
      expect(minute.points[6]).toMatchObject({ online: 1, health: 'warn' });
      expect(minute.points[8]).toMatchObject({ srtLoss: 0.117, max: { srtLoss: 7 }, min: { srtLoss: 0 } });

      // from older than 24 h: the 10-minute tier
      const tenMin = await readStreamHistory(db.redis, 'n', name, { fromMs: T0, toMs: T0 + 20 * MIN - 1, nowMs: T0 + 2 * DAY });
      expect(tenMin.resolutionMs).toBe(10 * MIN);
      expect(tenMin.points.map((p) => p.t)).toEqual([T0, T0 + 10 * MIN]);
      const [first, second] = tenMin.points;
      expect(first).toMatchObject({ online: 0.95, health: 'crit', max: { rtt: 900, srtLoss: 7 }, min: { rtt: 20, readers: 0 } });
      expect(first.rtt).toBeCloseTo((569 * 20 + 900) / 570, 0);
      expect(second).toMatchObject({ online: 1, health: 'ok', rtt: 20, max: { rtt: 20 } });
    });

    test("the newest coarse bucket, not rolled up yet, is answered from the finer tiers' points", async () => {
      const { resolutionMs, points } = await readStreamHistory(db.redis, 'n', name, { fromMs: T0, toMs: T0 + 1275 * S, nowMs: T0 + 2 * DAY });
      expect(resolutionMs).toBe(10 * MIN);
      expect(points.map((p) => p.t)).toEqual([T0, T0 + 10 * MIN, T0 + 20 * MIN]);
      expect(await entries(db.redis, '10m', name)).toHaveLength(2);
      expect(points[2]).toMatchObject({ online: 1, rtt: 20 });
    });

    test('maxPoints merges whole buckets; the spike survives as the max', async () => {
      const { resolutionMs, points } = await readStreamHistory(db.redis, 'n', name, { fromMs: T0, toMs: T0 + 20 * MIN - 1, maxPoints: 5, nowMs: T0 + 1300 * S });
      expect(resolutionMs).toBe(4 * MIN);
      expect(points).toHaveLength(5);
      expect(points[0]).toMatchObject({ t: T0, max: { rtt: 900 }, health: 'ok', online: 1 });
      expect(points[1]).toMatchObject({ t: T0 + 4 * MIN, online: 0.875, health: 'crit' });
    });

    test('a range query answers the buckets that overlap it, oldest first', async () => {
      const { points } = await readStreamHistory(db.redis, 'n', name, { fromMs: T0 + 125 * S, toMs: T0 + 150 * S, nowMs: T0 + 1300 * S });
      expect(points.map((p) => p.t - T0)).toEqual([120, 130, 140, 150].map((s) => s * S));
      const none = await readStreamHistory(db.redis, 'n', 'unknown', { fromMs: T0, toMs: T0 + HOUR, nowMs: T0 + HOUR });
      expect(none).toEqual({ resolutionMs: 10 * S, points: [] });
      expect((await readStreamHistory(db.redis, 'other', name, { fromMs: T0, toMs: T0 + HOUR, nowMs: T0 + HOUR })).points).toEqual([]);
    });

    test('the finest tier whose retention covers `from` answers, within 1 % of it', async () => {
      const res = async (ageMs: number) => (await readStreamHistory(db.redis, 'n', name, { fromMs: T0 + 1000 * S - ageMs, toMs: T0 + 1000 * S, maxPoints: 10_000, nowMs: T0 + 1000 * S })).resolutionMs;
      expect(await res(HOUR)).toBe(10 * S);
      expect(await res(HOUR + 30 * S)).toBe(10 * S);
      expect(await res(HOUR + MIN)).toBe(MIN);
      expect(await res(DAY + 10 * MIN)).toBe(MIN);
      expect(await res(DAY + 20 * MIN)).toBe(10 * MIN);
      expect(await res(60 * DAY)).toBe(10 * MIN);
    });

    test('the tiers are stored for readers', async () => {
      expect(JSON.parse((await db.redis.get(keys.historyTiers('stream')))!)).toEqual(tiers);
    });
  });

  test('a collector restarted mid-bucket leaves no gap and no duplicate', async () => {
    const name = 'restart';
    const before = new StreamHistoryWriter(db.redis, tiers);
    for (let s = 0; s <= 95; s++) await before.append([stream(name, { readers: 1 })], T0 + s * S);
    // the process ends: the open 10 s bucket (90-95 s) dies with it
    const after = new StreamHistoryWriter(db.redis, tiers);
    for (let s = 96; s <= 200; s++) await after.append([stream(name, { readers: 3 })], T0 + s * S);
    const fine = await entries(db.redis, '10s', name);
    expect(fine.map(([t]) => (t - T0) / S)).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(fine[9][1]).toMatchObject({ n: 4, readers: 3000 });
    const minute = await entries(db.redis, '1m', name);
    expect(minute.map(([t]) => (t - T0) / S)).toEqual([0, 60, 120]);
    expect(minute.map(([, f]) => f.n)).toEqual([60, 54, 60]);
    expect(minute[1][1]).toMatchObject({ readers: [Math.round((3 * 10 * 1000 + 4 * 3000 + 2 * 10 * 3000) / 54), 1000, 3000], rtt: 20000 });

    // two writers with the same bucket (an old process still flushing): written once
    const [a, b] = [new StreamHistoryWriter(db.redis, tiers), new StreamHistoryWriter(db.redis, tiers)];
    await a.append([stream(name)], T0 + 305 * S);
    await b.append([stream(name)], T0 + 306 * S);
    await a.append([], T0 + 310 * S);
    await b.append([], T0 + 311 * S);
    expect([a.lastWrite, b.lastWrite].map((r) => [r.written, r.skipped])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect((await entries(db.redis, '10s', name)).filter(([t]) => t === T0 + 300 * S)).toHaveLength(1);
  });

  test('retention trims each tier by time, and keys expire with it', async () => {
    const short = parseHistoryTiers('1s:10s,5s:1m');
    const writer = new StreamHistoryWriter(db.redis, short);
    for (let s = 0; s < 1000; s++) await writer.append([stream('trim', { readers: s })], T0 + s * S);
    const fine = await entries(db.redis, '1s', 'trim');
    const coarse = await entries(db.redis, '5s', 'trim');
    // MINID ~ trims whole nodes of up to 100 entries: the tier keeps its retention plus at most one node
    expect(fine.length).toBeLessThanOrEqual(10 + 100);
    expect(fine[0][0]).toBeGreaterThanOrEqual(T0 + (998 - 10 - 100) * S);
    expect(fine.at(-1)![0]).toBe(T0 + 998 * S);
    expect(coarse.length).toBeLessThanOrEqual(12 + 100);
    expect(coarse.at(-1)![0]).toBe(T0 + 990 * S);
    expect(await db.redis.pttl(keys.streamHistory('1s', 'n', 'trim'))).toBeLessThanOrEqual(10 * S);
    expect(await db.redis.pttl(keys.streamHistory('5s', 'n', 'trim'))).toBeGreaterThan(10 * S);
  });

  test('odd names are written like any other, and one failing series never fails the batch', async () => {
    const odd = ['bad\ud800name', 'nul\u0000x', '🎥/ü', 'x'.repeat(100_000), 'a:b,c'];
    await db.redis.set(keys.streamHistory('10s', 'n', 'clash'), 'a string, not a stream');
    const writer = new StreamHistoryWriter(db.redis, tiers);
    const all = [...odd, 'clash', 'good'].map((name) => stream(name));
    await writer.append(all, T0 + 1000 * S);
    await writer.append([], T0 + 1010 * S);
    expect(writer.lastWrite).toMatchObject({ written: 6, failed: 1, error: expect.stringMatching(/WRONGTYPE/) });
    for (const name of [...odd, 'good']) {
      expect((await readStreamHistory(db.redis, 'n', name, { fromMs: T0 + 1000 * S, toMs: T0 + 1009 * S, nowMs: T0 + 1010 * S })).points).toHaveLength(1);
    }
  });

  test('a large batch is written in several scripts of one pipeline', async () => {
    const writer = new StreamHistoryWriter(db.redis, tiers);
    const many = Array.from({ length: 1200 }, (_, i) => stream(`many/${i}`, { readers: i }));
    await writer.append(many, T0 + 2000 * S);
    await writer.append([], T0 + 2010 * S);
    expect(writer.lastWrite).toEqual({ written: 1200, skipped: 0, failed: 0, error: null });
    const last = await readStreamHistory(db.redis, 'n', 'many/1199', { fromMs: T0 + 2000 * S, toMs: T0 + 2000 * S, nowMs: T0 + 2010 * S });
    expect(last.points).toMatchObject([{ readers: 1199 }]);
  });

  test("the host's history: figures and disks per path, with min and max", async () => {
    const writer = new HostHistoryWriter(db.redis, tiers);
    for (let s = 0; s <= 130; s += 5) {
      await writer.append(
        { cpu_percent: s === 65 ? 95 : 10, ram_used_mb: 2048, net_in_mbps: null, net_out_mbps: 1.5, load: 0.5, temperature_c: null, 'disk_percent:/': 40, 'disk_percent:/data': 70 + (s % 10) / 5 },
        T0 + s * S,
      );
    }
    const fine = await readHostHistory(db.redis, { fromMs: T0 + 60 * S, toMs: T0 + 69 * S, nowMs: T0 + 130 * S });
    expect(fine).toEqual({
      resolutionMs: 10 * S,
      points: [
        {
          t: T0 + 60 * S,
          cpu_percent: 52.5,
          ram_used_mb: 2048,
          net_in_mbps: null,
          net_out_mbps: 1.5,
          load: 0.5,
          temperature_c: null,
          disk_percent: { '/': 40, '/data': 70.5 },
          min: { cpu_percent: 10, ram_used_mb: 2048, net_in_mbps: null, net_out_mbps: 1.5, load: 0.5, temperature_c: null, disk_percent: { '/': 40, '/data': 70 } },
          max: { cpu_percent: 95, ram_used_mb: 2048, net_in_mbps: null, net_out_mbps: 1.5, load: 0.5, temperature_c: null, disk_percent: { '/': 40, '/data': 71 } },
        },
      ],
    });
    const minute = await readHostHistory(db.redis, { fromMs: T0 + 60 * S, toMs: T0 + 119 * S, nowMs: T0 + 2 * HOUR });
    expect(minute.resolutionMs).toBe(MIN);
    expect(minute.points).toMatchObject([{ t: T0 + MIN, max: { cpu_percent: 95 }, min: { cpu_percent: 10 } }]);
    expect(minute.points[0].cpu_percent).toBeCloseTo((11 * 10 + 95) / 12, 2);
  });
});
