/**
 * Wrong data from MediaMTX (issue #13): arbitrary JSON in every field of every item never throws
 * in normalize, derive or health, never costs the other items, and never puts a negative, NaN or
 * absurd value (or a string that is not valid Unicode) into what is served.
 */
import fc from 'fast-check';
import Redis from 'ioredis';
import { CONN_TYPES, StreamHistoryWriter, parseHistoryTiers, readStreamHistory, toDetailPart, toSummary, type RawSnapshot, type Stream } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';
import { CounterWindow } from '../src/counterWindow';
import { derive, initialDeriveState, type DeriveState } from '../src/derive';
import { DEFAULT_HEALTH_RULES, applyHealth } from '../src/health';
import { normalize, type ItemAudit } from '../src/normalize';
import { RateSeries } from '../src/rates';
import { SrtWindows } from '../src/srtWindow';
import { snapshot, srtConn, srtPath } from './fixtures';
import { breaches } from './servedRules';

/** Values a wrong answer may hold in any field. */
const weird = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(-1, -0.5, -0, 1e308, 2 ** 64, 2 ** 70, 4e18, 0, '12', '', '\ud800', '\udc00x', 'x'.repeat(3000), true, null, [], {}),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const maybe = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: weird });
/** Counters that mostly grow, sometimes wrap or jump. */
const counter = fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.constantFrom(0, 2 ** 53, 2 ** 64 - 1));
const gauge = fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), fc.constantFrom(-1, 0, 1e308));
const ids = fc.constantFrom('a', 'b', 'c', 'd', '\ud800');
const names = fc.constantFrom('live/a', 'live/b', 'cam/c', '\ud83d', 'live/\udfff');
const ref = fc.record({ type: maybe(fc.constantFrom(...CONN_TYPES, 'rtspSource', 'hlsMuxer')), id: maybe(ids) }, { requiredKeys: [] });

const COUNTER_FIELDS = [
  'inboundBytes', 'outboundBytes', 'bytesReceived', 'bytesSent', 'packetsReceived', 'packetsSent', 'packetsReceivedLoss',
  'packetsReceivedRetrans', 'packetsReceivedDrop', 'packetsReceivedBelated', 'packetsReceivedUndecrypt', 'packetsSendLoss',
  'packetsRetrans', 'packetsSendDrop', 'inboundRTPPacketsLost', 'rtpPacketsLost', 'inboundRTPPacketsInError',
  'inboundRTCPPacketsInError', 'outboundRTPPacketsReportedLost', 'outboundRTPPacketsDiscarded', 'outboundFramesDiscarded',
] as const;
const GAUGE_FIELDS = ['msRTT', 'mbpsLinkCapacity', 'mbpsReceiveRate', 'mbpsSendRate', 'msReceiveTsbPdDelay', 'msSendTsbPdDelay', 'inboundRTPPacketsJitter'] as const;
const TEXT_FIELDS = ['remoteAddr', 'userAgent', 'created', 'transport', 'profile', 'localCandidate', 'remoteCandidate', 'state', 'version', 'path', 'lastRequest'] as const;

const conn = fc.record(
  {
    id: maybe(ids),
    ...Object.fromEntries(COUNTER_FIELDS.map((f) => [f, maybe(counter)])),
    ...Object.fromEntries(GAUGE_FIELDS.map((f) => [f, maybe(gauge)])),
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, maybe(fc.string({ unit: 'binary', maxLength: 10 }))])),
    isCDN: maybe(fc.boolean()),
    peerConnectionEstablished: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);
const track = fc.record(
  { codec: maybe(fc.constantFrom('H264', 'H265', 'Opus', 'MPEG-4 Audio')), codecProps: maybe(fc.record({ width: maybe(fc.nat()), height: maybe(fc.nat()) }, { requiredKeys: [] })) },
  { requiredKeys: [] },
);
const path = fc.record(
  {
    name: maybe(names),
    confName: maybe(fc.string({ unit: 'binary', maxLength: 6 })),
    source: maybe(fc.option(ref)),
    readers: maybe(fc.array(maybe(ref), { maxLength: 4 })),
    online: maybe(fc.boolean()),
    ready: maybe(fc.boolean()),
    onlineTime: maybe(fc.constant('2026-11-24T05:00:00Z')),
    tracks2: maybe(fc.array(maybe(track), { maxLength: 3 })),
    tracks: maybe(fc.array(maybe(fc.constantFrom('H264', 'Opus')), { maxLength: 3 })),
    inboundBytes: maybe(counter),
    outboundBytes: maybe(counter),
    bytesReceived: maybe(counter),
    inboundFramesInError: maybe(counter),
  },
  { requiredKeys: [] },
);
const rawSnapshot: fc.Arbitrary<RawSnapshot> = fc
  .record({
    info: fc.constant({ version: 'v1.20.1' }),
    paths: maybe(fc.array(maybe(path), { maxLength: 6 })),
    conns: fc.record(Object.fromEntries(CONN_TYPES.map((t) => [t, maybe(fc.array(maybe(conn), { maxLength: 4 }))]))),
    hlsMuxers: maybe(fc.array(maybe(conn), { maxLength: 2 })),
    connsComplete: fc.boolean(),
  })
  .map((r) => r as unknown as RawSnapshot);

/** Everything a cycle serves of the streams: summaries and detail parts, as JSON would carry them. */
function served(streams: Stream[]): unknown {
  return JSON.parse(JSON.stringify({ summaries: streams.map(toSummary), details: streams.map(toDetailPart) }));
}

describe('normalize: wrong data item by item', () => {
  test('property: any JSON in any field never throws; every served value keeps the rules; names unique; counts add up', () => {
    fc.assert(
      fc.property(rawSnapshot, (raw) => {
        const audit: ItemAudit = { skipped: 0, repaired: 0 };
        const streams = normalize(raw, { node: 'n', excludePrefixes: [], audit });
        expect(breaches(served(streams))).toEqual([]);
        expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length);
        expect(Number.isInteger(audit.skipped) && audit.skipped >= 0).toBe(true);
        expect(Number.isInteger(audit.repaired) && audit.repaired >= 0).toBe(true);
        const pathItems = Array.isArray(raw.paths) ? raw.paths.length : 0;
        expect(streams.length).toBeLessThanOrEqual(pathItems);
      }),
      { numRuns: 400 },
    );
  });

  test("the issue's cases: readers a number, items without identity, -1, 1e308 and strings with lone surrogates", () => {
    const raw = snapshot(
      [
        { ...srtPath('live/a', 'pub'), readers: 7 as never },
        srtPath('live/b\ud800'),
        { name: 42 as never },
        { ...srtPath('live/a'), confName: 'duplicate' },
        { name: 'x'.repeat(1025) },
        { name: 'nul\0' },
      ],
      { srtConn: [{ ...srtConn('pub', 'live/a', 'publish'), mbpsReceiveRate: -1, mbpsLinkCapacity: 1e308, msRTT: '3' as never, userAgent: 'ua\udc00' }, { path: 'no id' }] },
    );
    const audit = { skipped: 0, repaired: 0 };
    const streams = normalize(raw, { node: 'n', excludePrefixes: [], audit });
    expect(streams).toHaveLength(2);
    const [a, b] = streams;
    expect(a).toMatchObject({ name: 'live/a', readers: 0, recvRateMbps: null, linkCapacityMbps: null, rtt: null });
    expect(a.source).toMatchObject({ id: 'pub', userAgent: 'ua\ufffd', srt: { mbpsReceiveRate: null, linkCapacityMbps: null, rttMs: null } });
    expect(b.name).toBe('live/b\ufffd');
    // skipped: the nameless path, the second live/a, the names no client could ask for, the list item without an id;
    // repaired: live/a (readers), the source (rate, capacity, RTT)
    expect(audit).toEqual({ skipped: 5, repaired: 2 });
  });
});

/** normalize -> derive -> health over successive polls, like a collector. */
class Pipeline {
  state: DeriveState = initialDeriveState();
  step(raw: RawSnapshot, atMs: number): Stream[] {
    const streams = normalize(raw, { node: 'n', excludePrefixes: [] });
    const out = derive(this.state, streams, atMs, { connsComplete: raw.connsComplete, maxPlausibleGbps: 100 });
    this.state = out.state;
    return applyHealth(out.streams, DEFAULT_HEALTH_RULES);
  }
}

describe('derive and health: wrong data over time', () => {
  test('property: any sequence of wrong answers at any times never throws and never serves a value that breaks the rules', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(rawSnapshot, fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 8 }), (polls) => {
        const p = new Pipeline();
        let t = Date.parse('2026-11-24T05:00:00Z');
        for (const [raw, dt] of polls) {
          t += dt;
          const streams = p.step(raw, t);
          expect(breaches(served(streams))).toEqual([]);
          // Derived rates never exceed the plausible bound (100 Gbit/s).
          for (const s of streams) expect(s.sendRateMbps ?? 0).toBeLessThanOrEqual(100_000);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('property: RateSeries never gives a negative or implausible rate, whatever the samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 2000 }), fc.oneof(counter, fc.constant(NaN))), { maxLength: 30 }),
        fc.double({ min: 0.001, max: 1e7, noNaN: true }),
        (samples, maxBytesPerMs) => {
          const series = new RateSeries(maxBytesPerMs);
          let t = 0;
          for (const [dt, value] of samples) {
            series.push((t += dt), value, 5000);
            const r = series.rate();
            if (r === null) continue;
            expect(Number.isFinite(r) && r >= 0).toBe(true);
            expect(r).toBeLessThanOrEqual((maxBytesPerMs * 8) / 1000 + 0.001);
          }
        },
      ),
    );
  });

  test('property: CounterWindow and SrtWindows never count a negative or implausible growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 2000 }), fc.array(counter, { minLength: 5, maxLength: 5 }), gauge), { maxLength: 30 }), (samples) => {
        const window = new CounterWindow(5, 10_000, 10);
        const srt = new SrtWindows(10);
        let t = 0;
        for (const [dt, values, rtt] of samples) {
          t += dt;
          window.push(t, values);
          const [srtRaw] = normalize(snapshot([srtPath('p', 'x')], { srtConn: [{ ...srtConn('x', 'p', 'publish'), msRTT: rtt, packetsReceivedLoss: values[0], packetsReceivedDrop: values[1] }] }), {
            node: 'n',
            excludePrefixes: [],
          });
          srt.push(t, srtRaw.source!.srt!, 'publish');
          // 10 packets per ms at most, over a window no longer than what has been seen.
          for (const sum of window.sum(t, 10_000)) expect(sum >= 0 && sum <= 10 * Math.min(t + 10, 10_000 + 2000)).toBe(true);
          expect(breaches(srt.window(t, 10))).toEqual([]);
        }
      }),
    );
  });

  test('a byte counter that jumps once to 2^64 is no spike: a new baseline, then the right rate again', () => {
    const p = new Pipeline();
    const T0 = Date.parse('2026-11-24T05:00:00Z');
    const at = (i: number, bytes: number) => p.step(snapshot([{ name: 'x', online: true, outboundBytes: bytes }]), T0 + i * 1000)[0];
    at(0, 0);
    expect(at(1, 1_000_000).sendRateMbps).toBe(8);
    expect(at(2, 2 ** 64).sendRateMbps).toBeNull(); // held back: not believed
    expect(at(3, 3_000_000).sendRateMbps).toBe(8); // it was a glitch: the series goes on
    expect(at(4, 0).sendRateMbps).toBeNull(); // went down: held back
    expect(at(5, 4_000_000 + 1_000_000).sendRateMbps).toBe(8); // a glitch again, measured from the last good sample
    // A real restart: down, then growing from there.
    expect(at(6, 100).sendRateMbps).toBeNull();
    expect(at(7, 1_000_100).sendRateMbps).toBe(8);
  });

  test('a loss counter that reads 0 for one poll (a field missing) counts nothing when it returns', () => {
    const p = new Pipeline();
    const T0 = Date.parse('2026-11-24T05:00:00Z');
    const loss = (i: number, value: number | undefined) => {
      const c = srtConn('s', 'x', 'publish');
      if (value === undefined) delete c.packetsReceivedLoss;
      else c.packetsReceivedLoss = value;
      return p.step(snapshot([srtPath('x', 's')], { srtConn: [c] }), T0 + i * 1000)[0].srt10s!.loss;
    };
    expect([loss(0, 500), loss(1, 500), loss(2, undefined), loss(3, 502), loss(4, 'x' as never), loss(5, 503)]).toEqual([0, 0, 0, 2, 2, 3]);
    // Missing twice in a row is no restart either; a real restart (down, then growing) counts from its new baseline.
    expect([loss(6, undefined), loss(7, undefined), loss(8, 505), loss(9, 1), loss(10, 4)]).toEqual([3, 3, 5, 5, 8]);
  });

  test('a byte counter missing for two polls (no reading: the rate so far stays), then right again: the right rate, no spike', () => {
    const p = new Pipeline();
    const T0 = Date.parse('2026-11-24T05:00:00Z');
    const rate = (i: number, bytes: number | undefined) =>
      p.step(snapshot([{ name: 'x', online: true, inboundBytes: 0, outboundBytes: bytes }]), T0 + i * 1000)[0].sendRateMbps;
    expect([rate(0, 5_000_000), rate(1, 6_000_000), rate(2, undefined), rate(3, 'x' as never), rate(4, 9_000_000)]).toEqual([null, 8, 8, 8, 8]);
  });
});

describe('text from MediaMTX reaches Redis', () => {
  test('a path name with a lone surrogate: the history batch is written whole', async () => {
    const server = await RedisServer.start();
    const redis = new Redis(server.url);
    try {
      const streams = applyHealth(normalize(snapshot([srtPath('bad\ud800name'), srtPath('good')]), { node: 'n', excludePrefixes: [] }), DEFAULT_HEALTH_RULES);
      const writer = new StreamHistoryWriter(redis, parseHistoryTiers('1s:1h'));
      const t0 = Date.now();
      await writer.append(streams, t0);
      await writer.append(streams, t0 + 1000);
      expect(writer.lastWrite).toMatchObject({ written: 2, failed: 0, error: null });
      const range = { fromMs: t0 - 2000, toMs: t0 + 2000, nowMs: t0 + 1000 };
      expect((await readStreamHistory(redis, 'n', 'bad\ufffdname', range)).points).toHaveLength(1);
      expect((await readStreamHistory(redis, 'n', 'good', range)).points).toHaveLength(1);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
