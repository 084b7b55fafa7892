import Redis from 'ioredis';
import { Emulator, benchScenario, connId, demoScenario, trafficCounters, type Fault } from '@mmon/mediamtx-test';
import {
  MediaMtxClient,
  StreamHistoryWriter,
  StreamReader,
  StreamStore,
  keys,
  parseHistoryTiers,
  readStreamHistory,
  type CollectorStatus,
  type Stream,
  type StreamSummary,
} from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { DEFAULT_HEALTH_RULES } from '../src/health';
import { NodeCollector } from '../src/nodeCollector';
import { memoryLogger } from './support';

interface Harness {
  collector: NodeCollector;
  lines: Record<string, unknown>[];
}

interface HarnessOptions {
  node?: string;
  intervalMs?: number;
  timeoutMs?: number;
  /** HISTORY_TIERS for the collector's history writer (default: no history). */
  historyTiers?: string;
  /** The whole poll's deadline (default: ten request timeouts). */
  pollDeadlineMs?: number;
  /** Up to this many connections every cycle reads every list (default: always). */
  detailEveryCycleMaxConns?: number;
  /** The Redis the collector writes to (default: the test's). */
  redis?: Redis;
  now?: () => number;
}

describe('NodeCollector against the emulator and a real Redis', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  const emulators: Emulator[] = [];
  const collectors: NodeCollector[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
  });
  afterEach(async () => {
    await Promise.all(collectors.splice(0).map((c) => c.stop()));
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    redis.disconnect();
    await redisServer.stop();
  });

  const harness = (emu: Emulator, opts: HarnessOptions = {}): Harness => {
    const { node = 'local', intervalMs = 200, timeoutMs = 300, historyTiers, detailEveryCycleMaxConns = 1_000_000, now } = opts;
    const pollDeadlineMs = opts.pollDeadlineMs ?? 10 * timeoutMs;
    const storeRedis = opts.redis ?? redis;
    const { logger, lines } = memoryLogger();
    const collector = new NodeCollector(
      {
        node,
        intervalMs,
        excludePrefixes: ['__preview__/'],
        health: DEFAULT_HEALTH_RULES,
        goneRetentionMs: 600_000,
        detailEveryCycleMaxConns,
        detailMaxAgeMs: 5000,
        pollDeadlineMs,
        maxPlausibleGbps: 100,
      },
      {
        client: new MediaMtxClient({ baseUrl: emu.url, timeoutMs, pageSize: 100 }),
        store: new StreamStore(storeRedis, 60),
        history: historyTiers === undefined ? null : new StreamHistoryWriter(storeRedis, parseHistoryTiers(historyTiers)),
        logger,
        now,
      },
    );
    collectors.push(collector);
    return { collector, lines };
  };
  const latest = async (): Promise<StreamSummary[]> => JSON.parse((await redis.get(keys.streamsLatest)) ?? '[]');
  /** A stream's detail as the api serves it: its summary and its stored detail part. */
  const detail = async (name: string, node = 'local'): Promise<Stream> => {
    const summary = (await latest()).find((s) => s.node === node && s.name === name)!;
    const [part] = await new StreamReader(redis).details(node, [name]);
    return { ...summary, ...JSON.parse(part!) } as Stream;
  };
  const nodeStatus = async (node = 'local'): Promise<CollectorStatus> => JSON.parse((await redis.get(keys.nodeStatus(node)))!);

  test('writes the demo streams with the design fields, rates from the second sample, and publishes', async () => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: demoScenario() });
    emulators.push(emu);
    const sub = new Redis(redisServer.url);
    const messages: string[] = [];
    await sub.subscribe(keys.updates);
    sub.on('message', (_c, m) => messages.push(m));
    const { collector } = harness(emu);
    await collector.cycle();
    let streams = await latest();
    expect(streams.map((s) => s.name)).toEqual(['cam/entrance', 'live/backup', 'live/contribution', 'live/studio', 'live/webcam']);
    const srt = streams.find((s) => s.name === 'live/contribution')!;
    expect(srt).toMatchObject({ node: 'local', sourceType: 'srtConn', online: true, tracks: ['H264', 'MPEG-4 Audio'], readers: 2 });
    expect(srt.rtt).toEqual(expect.any(Number));
    expect(srt.linkCapacityMbps).toEqual(expect.any(Number));
    expect(srt.recvRateMbps).toEqual(expect.any(Number)); // native SRT rate, present from the first sample
    expect(srt.video).toEqual({ codec: 'H264', width: 1920, height: 1080 });
    expect(srt.srt10s).toEqual({ loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 });
    // The summary holds nothing that grows with the connections; the detail holds them.
    expect(Object.keys(srt).sort()).toEqual(
      ['bytesReceived', 'bytesSent', 'confName', 'health', 'linkCapacityMbps', 'name', 'node', 'offlineSince', 'online', 'onlineSince', 'readers', 'recvRateMbps', 'rtt', 'sendRateMbps', 'sourceType', 'srt10s', 'tracks', 'video'],
    );
    expect((await detail('live/contribution')).readerList.map((r) => r.protocol).sort()).toEqual(['srt', 'webrtc']);
    const rtmp = streams.find((s) => s.name === 'live/studio')!;
    expect(rtmp.recvRateMbps).toBeNull(); // derived rates need two samples
    const offline = streams.find((s) => s.name === 'live/backup')!;
    expect(offline).toMatchObject({ online: false, sourceType: null, readers: 0, rtt: null });

    await new Promise((r) => setTimeout(r, 300));
    await collector.cycle();
    streams = await latest();
    expect(streams.find((s) => s.name === 'live/studio')!.recvRateMbps).toBeGreaterThan(0);
    const meta = JSON.parse((await redis.get(keys.streamsMeta))!);
    expect(meta.nodes).toEqual(['local']);
    expect(Date.parse(meta.collectedAt)).toBeGreaterThan(Date.now() - 5000);
    await eventually(() => expect(messages.map((m) => JSON.parse(m).kind)).toEqual(['streams', 'streams']));
    expect(await nodeStatus()).toMatchObject({ stale: false, mediamtxVersion: 'v1.20.1', versionTested: true, streams: 5, lastError: null });
    sub.disconnect();
  });

  test('every one of 260 paths appears, with the readers of each', async () => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: benchScenario(260, 2), layout: 'v1.21' });
    emulators.push(emu);
    const { collector } = harness(emu);
    await collector.cycle();
    const streams = await latest();
    expect(streams).toHaveLength(260);
    expect(new Set(streams.map((s) => s.name)).size).toBe(260);
    const parts = await new StreamReader(redis).allDetails('local');
    expect(Object.keys(parts)).toHaveLength(260);
    for (const s of streams.filter((x) => x.online)) {
      expect(s.readers).toBe(2);
      const readerList = (JSON.parse(parts[s.name]) as Stream).readerList;
      expect(readerList).toHaveLength(2);
      expect(readerList.every((r) => r.direction === 'read' && r.protocol !== null)).toBe(true);
    }
    expect(streams.filter((s) => !s.online).length).toBe(13); // one in 20 is offline
    expect((await nodeStatus()).apiLayout).toBe('v1.21');
  });

  test.each<[string, Fault]>([
    ['5xx', { kind: 'status', status: 500 }],
    ['slower than the timeout', { kind: 'slow', delayMs: 2000 }],
    ['malformed JSON', { kind: 'malformed' }],
    ['connection reset', { kind: 'reset' }],
  ])('MediaMTX %s: keeps the last snapshot, marks stale, logs once, recovers', async (_label, fault) => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: demoScenario() });
    emulators.push(emu);
    const { collector, lines } = harness(emu);
    await collector.cycle();
    const before = await redis.get(keys.streamsLatest);
    emu.setFault(fault);
    for (let i = 0; i < 3; i++) await collector.cycle();
    expect(await redis.get(keys.streamsLatest)).toBe(before);
    const stale = await nodeStatus();
    expect(stale.stale).toBe(true);
    expect(stale.lastError).toEqual(expect.any(String));
    expect(lines.filter((l) => l.level === 'warn' && String(l.message).includes('mediamtx'))).toHaveLength(1);
    emu.setFault(null);
    await collector.cycle();
    expect(await nodeStatus()).toMatchObject({ stale: false, lastError: null });
    expect(lines.filter((l) => l.level === 'info' && String(l.message).includes('recovered'))).toHaveLength(1);
  });

  test('a poll past its deadline is cut off: a fault naming the deadline, and the next good cycle recovers', async () => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: demoScenario() });
    emulators.push(emu);
    const { collector } = harness(emu, { timeoutMs: 5000, pollDeadlineMs: 300 });
    await collector.cycle();
    emu.setFault({ kind: 'slow', delayMs: 1000 }); // every request within its timeout, the poll not
    await collector.cycle();
    expect(await nodeStatus()).toMatchObject({ stale: true, lastError: expect.stringMatching(/deadline of 300 ms/) });
    emu.setFault(null);
    await collector.cycle();
    expect(await nodeStatus()).toMatchObject({ stale: false, lastError: null });
  });

  test('MediaMTX down and back on the same port: the loop keeps running and recovers by itself', async () => {
    await redis.flushall();
    let emu = await Emulator.start({ scenario: demoScenario() });
    const port = emu.port;
    const { collector, lines } = harness(emu);
    collector.start();
    await eventually(async () => expect(await latest()).toHaveLength(5));
    await emu.close();
    await eventually(async () => expect((await nodeStatus()).stale).toBe(true));
    expect(await latest()).toHaveLength(5);
    emu = await Emulator.start({ scenario: demoScenario(), port });
    emulators.push(emu);
    await eventually(async () => expect((await nodeStatus()).stale).toBe(false));
    expect(lines.filter((l) => l.level === 'warn').length).toBe(1);
  });

  test('Redis down and restarted: the collector survives, logs once, and writes again', async () => {
    const own = await RedisServer.start();
    const ownRedis = new Redis(own.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    ownRedis.on('error', () => undefined);
    const check = new Redis(own.url, { retryStrategy: () => 100 });
    check.on('error', () => undefined);
    try {
      const emu = await Emulator.start({ scenario: demoScenario() });
      emulators.push(emu);
      // With history, whose appends mostly write nothing: such an append says nothing about Redis.
      const { collector, lines } = harness(emu, { redis: ownRedis, historyTiers: '10s:1h' });
      collector.start();
      await eventually(async () => expect(await check.get(keys.streamsLatest)).not.toBeNull());
      await own.stop();
      await new Promise((r) => setTimeout(r, 1000));
      await own.start(); // an empty Redis: everything was lost
      await eventually(async () => expect(JSON.parse((await check.get(keys.streamsLatest)) ?? '[]')).toHaveLength(5), 10000, 100);
      const redisWarnings = lines.filter((l) => l.level === 'warn' && String(l.message).startsWith('redis'));
      expect(redisWarnings.length).toBeGreaterThanOrEqual(1);
      expect(redisWarnings.length).toBeLessThanOrEqual(2); // once when it went, at most once more when the error changed
    } finally {
      await Promise.all(collectors.splice(0).map((c) => c.stop()));
      check.disconnect();
      ownRedis.disconnect();
      await own.stop();
    }
  });

  test('an unknown MediaMTX version is tried anyway and reported as untested', async () => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: demoScenario(), version: 'v1.99.0' });
    emulators.push(emu);
    const { collector, lines } = harness(emu);
    await collector.cycle();
    await collector.cycle();
    expect(await latest()).toHaveLength(5);
    expect(await nodeStatus()).toMatchObject({ mediamtxVersion: 'v1.99.0', versionTested: false });
    expect(lines.filter((l) => String(l.message).includes('untested'))).toHaveLength(1);
  });

  test('excluded prefixes are left out', async () => {
    await redis.flushall();
    const scenario = demoScenario();
    scenario.paths.push({ name: '__preview__/live/studio', source: null });
    const emu = await Emulator.start({ scenario });
    emulators.push(emu);
    await harness(emu).collector.cycle();
    expect((await latest()).map((s) => s.name)).not.toContain('__preview__/live/studio');
  });

  test('writes every stream\'s history as its buckets end', async () => {
    await redis.flushall();
    const start = Date.parse('2026-11-24T05:00:00.500Z');
    let now = start;
    const emu = await Emulator.start({ scenario: demoScenario(now), clock: () => now });
    emulators.push(emu);
    const { collector } = harness(emu, { node: 'h', intervalMs: 1000, timeoutMs: 1000, historyTiers: '1s:1h', now: () => now });
    for (let i = 0; i < 7; i++, now += 1000) await collector.cycle(); // six 1 s buckets end
    const range = { fromMs: start - 1000, toMs: now, nowMs: now };
    const { points } = await readStreamHistory(redis, 'h', 'live/contribution', range);
    expect(points).toHaveLength(6);
    expect(points.every((p) => p.online && p.readers === 2 && p.rtt !== null)).toBe(true);
    expect((await readStreamHistory(redis, 'h', 'live/backup', range)).points).toHaveLength(6);
  });

  test('end to end on a scripted clock: SRT drops show in window10s and turn the stream crit, then age out', async () => {
    await redis.flushall();
    let now = Date.parse('2026-11-24T05:00:00Z');
    const clock = () => now;
    const publisher = connId(77);
    const emu = await Emulator.start({
      clock,
      scenario: {
        paths: [
          {
            name: 'live/feed',
            tracks: [{ codec: 'H264' }],
            source: {
              type: 'srtConn',
              id: publisher,
              counters: { ...trafficCounters('srtConn', 'publish', 4), msRTT: 20, msReceiveTsbPdDelay: 200, packetsReceivedDrop: 0 },
            },
            readers: [],
          },
        ],
      },
    });
    emulators.push(emu);
    const { collector } = harness(emu, { node: 'e2e', intervalMs: 1000, timeoutMs: 1000, now: clock });
    const feed = () => detail('live/feed', 'e2e');
    const step = async (drops: number) => {
      emu.setCounters(publisher, { packetsReceivedDrop: drops });
      await collector.cycle();
      now += 1000;
    };
    for (const drops of [0, 0, 0, 3, 3]) await step(drops);
    let s = await feed();
    expect(s.source!.srt!.window10s).toMatchObject({ drop: 3, loss: 0 });
    expect(s.srt10s).toEqual({ loss: 0, retrans: 0, drop: 3, belated: 0, undecrypt: 0 });
    expect(s.source!.srt!.window10s!.rttP50Ms).toBe(20);
    expect(s.health.level).toBe('crit');
    expect(s.health.reasons).toContain('SRT drop 3 packets in 10 s');
    for (let i = 0; i < 11; i++) await step(3);
    s = await feed();
    expect(s.source!.srt!.window10s!.drop).toBe(0);
    expect(s.source!.srt!.window60s!.drop).toBe(3);
    expect(s.health.level).toBe('ok');
    // MediaMTX restarted: the counter drops to 0, which is a new baseline, never a negative count
    await step(0);
    s = await feed();
    expect(s.source!.srt!.window10s!.drop).toBe(0);
    expect(s.source!.srt!.window60s!.drop).toBe(3);
  });

  test('a large server: summaries every cycle, connection lists every 5 s, a viewed stream\'s connections every cycle', async () => {
    await redis.flushall();
    let now = Date.now();
    const clock = () => now;
    const emu = await Emulator.start({ scenario: demoScenario(now), clock });
    emulators.push(emu);
    const { collector } = harness(emu, { intervalMs: 1000, timeoutMs: 1000, detailEveryCycleMaxConns: 0, now: clock });
    const reader = new StreamReader(redis);
    const srtListReads = () => emu.requests.byPath['/v3/srt/conns/list'] ?? 0;
    const byIdReads = () => Object.entries(emu.requests.byPath).filter(([p]) => p.includes('/get/')).reduce((n, [, c]) => n + c, 0);
    const part = async (name: string) => JSON.parse((await reader.details('local', [name]))[0]!) as Stream;

    await collector.cycle(); // the first cycle reads everything
    expect(srtListReads()).toBe(1);
    expect(await nodeStatus()).toMatchObject({ detailRefreshMs: 5000 });
    await reader.watch('local', ['live/contribution'], Date.now() + 60_000);
    const bytes: number[] = [];
    const viewed: number[] = [];
    const other: number[] = [];
    for (let i = 1; i <= 4; i++) {
      now += 1000;
      await collector.cycle();
      bytes.push((await latest()).find((s) => s.name === 'live/studio')!.bytesReceived);
      viewed.push((await part('live/contribution')).source!.srt!.packetsReceived);
      other.push((await part('live/studio')).source!.bytesIn);
    }
    expect(srtListReads()).toBe(1); // no list read between two full reads
    expect(new Set(bytes).size).toBe(4); // every summary is fresh in every cycle
    expect(byIdReads()).toBeGreaterThanOrEqual(3 * 3); // the viewed stream's source and two readers, from the second cycle on
    expect(new Set(viewed.slice(1)).size).toBe(3); // the viewed stream's detail is fresh in every cycle
    expect(new Set(other).size).toBe(1); // the others' is as the last full read left it
    now += 1000;
    await collector.cycle(); // 5 s after the last full read
    expect(srtListReads()).toBe(2);
    expect((await part('live/studio')).source!.bytesIn).toBeGreaterThan(other[0]);
  });

  test('stop() cuts a poll short instead of waiting for a slow MediaMTX, and logs no fault for it', async () => {
    await redis.flushall();
    const emu = await Emulator.start({ scenario: demoScenario() });
    emulators.push(emu);
    emu.setFault({ kind: 'slow', delayMs: 120_000 }); // longer than this test may run
    const { collector, lines } = harness(emu, { node: 'stop', timeoutMs: 120_000 });
    collector.start();
    await eventually(() => expect(emu.requests.total).toBeGreaterThan(0));
    await collector.stop();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(await redis.get(keys.nodeStatus('stop'))).toBeNull();
  });
});
