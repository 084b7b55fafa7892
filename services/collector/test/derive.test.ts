import type { RawConn, RawPath, RawSnapshot, Stream } from '@mmon/shared';
import { derive, initialDeriveState, type DeriveOptions, type DeriveState } from '../src/derive';
import { normalize } from '../src/normalize';
import { percentile } from '../src/srtWindow';
import { snapshot, srtConn, srtPath, type SrtCounters } from './fixtures';

const T0 = Date.parse('2026-11-24T05:00:00Z');

/** normalize -> derive over successive polls, like the collector does. */
class Pipeline {
  state: DeriveState = initialDeriveState();
  constructor(private readonly opts: Partial<DeriveOptions> = {}) {}

  step(raw: RawSnapshot, atMs: number): Stream[] {
    const result = derive(this.state, normalize(raw, { node: 'n1', excludePrefixes: [] }), atMs, this.opts);
    this.state = result.state;
    return result.streams;
  }
}

/** An online RTMP-published path with one WebRTC reader, with the given byte counters. */
function rtmpSnapshot(bytes: { pathIn: number; pathOut: number; srcIn?: number; rdOut?: number; srcId?: string }): RawSnapshot {
  const srcId = bytes.srcId ?? 'rtmp-1';
  return snapshot(
    [
      {
        name: 'live',
        online: true,
        source: { type: 'rtmpConn', id: srcId },
        inboundBytes: bytes.pathIn,
        outboundBytes: bytes.pathOut,
        readers: [{ type: 'webRTCSession', id: 'w1' }],
      },
    ],
    {
      rtmpConn: [{ id: srcId, state: 'publish', inboundBytes: bytes.srcIn ?? bytes.pathIn }],
      webRTCSession: [{ id: 'w1', state: 'read', outboundBytes: bytes.rdOut ?? bytes.pathOut }],
    },
  );
}

/** How many streams / connections the state remembers over all nodes. */
const streamCount = (state: DeriveState): number => [...state.nodes.values()].reduce((n, node) => n + node.streams.size, 0);
const connCount = (state: DeriveState): number => [...state.nodes.values()].reduce((n, node) => n + node.conns.size, 0);

/** 125000 bytes/s = 1 Mbit/s. */
const MBIT = 125_000;

describe('derive: rates', () => {
  test('first sample null, then a steady rate from the byte counters (stream and connections)', () => {
    const p = new Pipeline();
    const [first] = p.step(rtmpSnapshot({ pathIn: 1_000_000, pathOut: 0 }), T0);
    expect(first).toMatchObject({ recvRateMbps: null, sendRateMbps: null });
    expect(first.source).toMatchObject({ rateInMbps: null, rateOutMbps: null });
    expect(first.readerList[0]).toMatchObject({ rateInMbps: null, rateOutMbps: null });
    let s = first;
    for (let i = 1; i <= 8; i++) {
      [s] = p.step(rtmpSnapshot({ pathIn: 1_000_000 + i * 2 * MBIT, pathOut: i * MBIT }), T0 + i * 1000);
      expect(s.recvRateMbps).toBeCloseTo(2, 9);
      expect(s.sendRateMbps).toBeCloseTo(1, 9);
      expect(s.source?.rateInMbps).toBeCloseTo(2, 9);
      expect(s.source?.rateOutMbps).toBeNull(); // the fixture's source reports no outbound bytes: no rate, not 0
      expect(s.readerList[0].rateOutMbps).toBeCloseTo(1, 9);
    }
  });

  test('a counter reset restarts the baseline: null once, never negative, no spike', () => {
    const p = new Pipeline();
    const seq = [0, 1, 2, 3].map((i) => 50 * MBIT + i * MBIT); // 1 Mbit/s
    const rates: (number | null)[] = [];
    let t = T0;
    for (const v of seq) rates.push(p.step(rtmpSnapshot({ pathIn: v, pathOut: 0 }), (t += 1000))[0].recvRateMbps);
    // MediaMTX restarted: counters back near zero, then growing at 3 Mbit/s
    for (const v of [0, 3 * MBIT, 6 * MBIT, 9 * MBIT]) {
      rates.push(p.step(rtmpSnapshot({ pathIn: v, pathOut: 0 }), (t += 1000))[0].recvRateMbps);
    }
    expect(rates[0]).toBeNull();
    expect(rates.slice(1, 4).map((r) => Math.round(r! * 1000) / 1000)).toEqual([1, 1, 1]);
    expect(rates[4]).toBeNull();
    expect(rates.slice(5).map((r) => Math.round(r! * 1000) / 1000)).toEqual([3, 3, 3]);
  });

  test('a new connection id starts a new baseline for the connection and the stream', () => {
    const p = new Pipeline();
    p.step(rtmpSnapshot({ pathIn: 0, pathOut: 0, srcId: 'a' }), T0);
    const [before] = p.step(rtmpSnapshot({ pathIn: MBIT, pathOut: 0, srcId: 'a' }), T0 + 1000);
    expect(before.source?.rateInMbps).toBeCloseTo(1, 9);
    // A new publisher whose counters happen to be higher than the old ones: not a spike.
    const [after] = p.step(rtmpSnapshot({ pathIn: 500 * MBIT, pathOut: 0, srcId: 'b' }), T0 + 2000);
    expect(after.source).toMatchObject({ id: 'b', rateInMbps: null });
    expect(after.recvRateMbps).toBeNull();
    const [next] = p.step(rtmpSnapshot({ pathIn: 501 * MBIT, pathOut: 0, srcId: 'b' }), T0 + 3000);
    expect(next.source?.rateInMbps).toBeCloseTo(1, 9);
    expect(next.recvRateMbps).toBeCloseTo(1, 9);
  });

  test('smoothing: poll jitter (counters read up to ±300 ms off the poll time) barely moves the rate', () => {
    const p = new Pipeline({ smoothingMs: 5000 });
    const offsets = [0, 300, -300, 250, -250, 300, -300, 200, -200, 300, -300, 250, -250, 300, -300, 0, 300, -300];
    const smoothed: number[] = [];
    const naive: number[] = [];
    let prev: number | null = null;
    offsets.forEach((off, i) => {
      const t = T0 + i * 1000;
      const bytes = Math.round(((t + off - T0) / 1000) * 4 * MBIT) + 10 * MBIT; // truly 4 Mbit/s
      const [s] = p.step(rtmpSnapshot({ pathIn: bytes, pathOut: 0 }), t);
      if (prev !== null) naive.push(((bytes - prev) * 8) / 1e6);
      prev = bytes;
      if (i >= 5) smoothed.push(s.recvRateMbps!);
    });
    // One-second deltas swing by more than 50 %, the smoothed rate stays within 15 %.
    expect(Math.max(...naive) - Math.min(...naive)).toBeGreaterThan(2);
    for (const r of smoothed) expect(Math.abs(r - 4)).toBeLessThan(0.6);
  });

  test('polls further apart than the smoothing span still give a rate over the last interval', () => {
    const p = new Pipeline({ smoothingMs: 2000 });
    p.step(rtmpSnapshot({ pathIn: 0, pathOut: 0 }), T0);
    const [s] = p.step(rtmpSnapshot({ pathIn: 10 * MBIT, pathOut: 0 }), T0 + 10_000);
    expect(s.recvRateMbps).toBeCloseTo(1, 9);
  });

  test('native SRT rates win for the stream receive rate and the SRT connections', () => {
    const p = new Pipeline();
    const raw = (i: number): RawSnapshot =>
      snapshot([{ ...srtPath('cam', 'pub', ['rd']), inboundBytes: i * MBIT, outboundBytes: i * 2 * MBIT }], {
        srtConn: [
          srtConn('pub', 'cam', 'publish', { bytesReceived: i * MBIT, mbpsReceiveRate: 7.5, mbpsSendRate: 0.02 }),
          srtConn('rd', 'cam', 'read', { bytesSent: i * 2 * MBIT }),
        ],
      });
    const [first] = p.step(raw(0), T0);
    expect(first.recvRateMbps).toBe(7.5);
    expect(first.source).toMatchObject({ rateInMbps: 7.5, rateOutMbps: 0.02 });
    const [s] = p.step(raw(1), T0 + 1000);
    expect(s.recvRateMbps).toBe(7.5);
    expect(s.sendRateMbps).toBeCloseTo(2, 9);
    // The reader's native rates are absent here, so they are derived from its byte counters.
    expect(s.readerList[0].rateOutMbps).toBeCloseTo(2, 9);
  });

  test('connections without native figures (not in any list, pulled sources) get no rates', () => {
    const p = new Pipeline();
    const raw = (i: number): RawSnapshot =>
      snapshot([{ name: 'pull', online: true, source: { type: 'rtspSource', id: '' }, inboundBytes: i * MBIT }]);
    p.step(raw(0), T0);
    const [s] = p.step(raw(1), T0 + 1000);
    expect(s.recvRateMbps).toBeCloseTo(1, 9);
    expect(s.source).toMatchObject({ rateInMbps: null, rateOutMbps: null });
    expect(connCount(p.state)).toBe(0);
  });

  test("the derived fields are filled into the given streams and connections (normalize's fresh objects)", () => {
    const state = derive(initialDeriveState(), normalize(rtmpSnapshot({ pathIn: 0, pathOut: 0 }), { node: 'n1', excludePrefixes: [] }), T0).state;
    const streams = normalize(rtmpSnapshot({ pathIn: MBIT, pathOut: MBIT }), { node: 'n1', excludePrefixes: [] });
    const [source, reader] = [streams[0].source, streams[0].readerList[0]];
    const out = derive(state, streams, T0 + 1000).streams;
    expect(out[0]).toBe(streams[0]);
    expect(out[0].source).toBe(source);
    expect(out[0].readerList[0]).toBe(reader);
    expect(streams[0]).toMatchObject({ recvRateMbps: 1, sendRateMbps: 1, inboundFramesInError10s: 0 });
    expect(source).toMatchObject({ rateInMbps: 1, rateOutMbps: null });
    expect(reader).toMatchObject({ rateInMbps: null, rateOutMbps: 1 });
  });
});

describe('derive: SRT windows', () => {
  function srtRun(counters: SrtCounters[], stepMs = 1000, direction: 'publish' | 'read' = 'publish'): Stream[] {
    const p = new Pipeline();
    return counters.map((c, i) => {
      const conns = direction === 'publish' ? [srtConn('pub', 'cam', 'publish', c)] : [srtConn('rd', 'cam', 'read', c)];
      const path = direction === 'publish' ? srtPath('cam', 'pub') : srtPath('cam', 'other', ['rd']);
      return p.step(snapshot([path], { srtConn: conns }), T0 + i * stepMs)[0];
    });
  }

  test('drop 0,0,3,3,3 in 1 s steps: 3 in 10 s; 11 s after the drop it is out of the 10 s window, still in the 60 s one', () => {
    const drops = [0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    const out = srtRun(drops.map((drop) => ({ drop })));
    const w = (i: number): [number, number] => [out[i].source!.srt!.window10s!.drop, out[i].source!.srt!.window60s!.drop];
    expect(w(0)).toEqual([0, 0]);
    expect(w(1)).toEqual([0, 0]);
    expect(w(4)).toEqual([3, 3]);
    expect(w(11)).toEqual([3, 3]); // t=11 s: the drop happened at t=2 s, 9 s ago
    expect(w(12)).toEqual([0, 3]); // t=12 s: 10 s ago, out of (2 s, 12 s]
    expect(w(13)).toEqual([0, 3]);
    expect(out[13].source!.srt!.window10s).toMatchObject({ seconds: 10, loss: 0, retrans: 0, belated: 0, undecrypt: 0 });
    expect(out[13].source!.srt!.window60s!.seconds).toBe(60);
  });

  test('a counter reset mid-window restarts the baseline: no negative counts, earlier growth kept', () => {
    const out = srtRun([{ loss: 10 }, { loss: 12 }, { loss: 15 }, { loss: 0 }, { loss: 1 }, { loss: 1 }]);
    const loss = out.map((s) => s.source!.srt!.window10s!.loss);
    expect(loss).toEqual([0, 2, 5, 5, 6, 6]);
  });

  test('every counter maps for a publisher: loss, retrans, drop, belated, undecrypt', () => {
    const out = srtRun([{}, { loss: 1, retrans: 2, drop: 3, belated: 4, undecrypt: 5 }]);
    expect(out[1].source!.srt!.window10s).toMatchObject({ loss: 1, retrans: 2, drop: 3, belated: 4, undecrypt: 5 });
  });

  test('a reader counts the send-side counterparts, and no belated or undecryptable packets', () => {
    const out = srtRun(
      [{}, { sendLoss: 4, sendRetrans: 5, sendDrop: 6, loss: 100, retrans: 100, drop: 100, belated: 100, undecrypt: 100 }],
      1000,
      'read',
    );
    expect(out[1].readerList[0].srt!.window10s).toMatchObject({ loss: 4, retrans: 5, drop: 6, belated: 0, undecrypt: 0 });
  });

  test('RTT p50/p95 over the samples in each window (nearest rank); with little history, over what exists', () => {
    const rtts = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 200];
    const out = srtRun(rtts.map((rtt) => ({ rtt })));
    expect(out[0].source!.srt!.window10s).toMatchObject({ rttP50Ms: 10, rttP95Ms: 10 });
    // t = 9 s: samples 10..100 (10 of them) in both windows
    expect(out[9].source!.srt!.window10s).toMatchObject({ rttP50Ms: 50, rttP95Ms: 100 });
    // t = 11 s: the 10 s window is (1 s, 11 s]: 30..100, 200, 200
    expect(out[11].source!.srt!.window10s).toMatchObject({ rttP50Ms: 70, rttP95Ms: 200 });
    expect(out[11].source!.srt!.window60s).toMatchObject({ rttP50Ms: 60, rttP95Ms: 200 });
  });

  test('RTT samples older than 60 s leave the 60 s window', () => {
    // 10 s of 500 ms RTT, then 65 s of values 1..65
    const rtts = [...Array.from({ length: 10 }, () => 500), ...Array.from({ length: 65 }, (_, i) => i + 1)];
    const out = srtRun(rtts.map((rtt) => ({ rtt })));
    expect(out[60].source!.srt!.window60s).toMatchObject({ rttP50Ms: 30, rttP95Ms: 500 }); // (0 s, 60 s]: 9 x 500, 1..51
    expect(out[69].source!.srt!.window60s).toMatchObject({ rttP50Ms: 30, rttP95Ms: 57 }); // (9 s, 69 s]: 1..60
    expect(out[74].source!.srt!.window60s).toMatchObject({ rttP50Ms: 35, rttP95Ms: 62 }); // (14 s, 74 s]: 6..65
    expect(out[74].source!.srt!.window10s).toMatchObject({ rttP50Ms: 60, rttP95Ms: 65 }); // 56..65
  });

  test('no RTT samples: percentiles null', () => {
    const p = new Pipeline();
    const conn = { ...srtConn('pub', 'cam', 'publish') };
    delete conn.msRTT;
    const [s] = p.step(snapshot([srtPath('cam', 'pub')], { srtConn: [conn] }), T0);
    expect(s.source!.srt!.window10s).toMatchObject({ rttP50Ms: null, rttP95Ms: null });
    expect(s.rtt).toBeNull();
  });

  test('polls faster than 1 s keep at most one RTT sample per second', () => {
    const out = srtRun(
      Array.from({ length: 50 }, (_, i) => ({ rtt: i < 45 ? 1 : 1000 })),
      200,
    );
    // t = 9.8 s: seconds 0..8 hold rtt 1 (their last sample), second 9 holds 1000 -> 10 samples
    expect(out[49].source!.srt!.window10s).toMatchObject({ rttP50Ms: 1, rttP95Ms: 1000 });
  });

  test('percentile: nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
  });
});

describe('derive: RTP and frames-in-error windows', () => {
  test('RTSP publisher: RTP lost, RTP and RTCP errors over 10 s', () => {
    const p = new Pipeline();
    const raw = (lost: number, err: number, rtcp: number): RawSnapshot =>
      snapshot([{ name: 'cam', online: true, source: { type: 'rtspSession', id: 's' } }], {
        rtspSession: [{ id: 's', inboundRTPPacketsLost: lost, inboundRTPPacketsInError: err, inboundRTCPPacketsInError: rtcp }],
      });
    expect(p.step(raw(5, 1, 0), T0)[0].source!.rtsp!.window10s).toEqual({ rtpLost: 0, rtpErrors: 0, rtcpErrors: 0 });
    expect(p.step(raw(9, 3, 1), T0 + 1000)[0].source!.rtsp!.window10s).toEqual({ rtpLost: 4, rtpErrors: 2, rtcpErrors: 1 });
    expect(p.step(raw(9, 3, 1), T0 + 10_000)[0].source!.rtsp!.window10s).toEqual({ rtpLost: 4, rtpErrors: 2, rtcpErrors: 1 });
    expect(p.step(raw(9, 3, 1), T0 + 11_000)[0].source!.rtsp!.window10s).toEqual({ rtpLost: 0, rtpErrors: 0, rtcpErrors: 0 });
  });

  test('RTSP reader: the loss its client reports; WebRTC: RTP lost', () => {
    const p = new Pipeline();
    const raw = (reported: number, webrtcLost: number): RawSnapshot =>
      snapshot([{ name: 'cam', online: true, readers: [{ type: 'rtspSession', id: 'r' }, { type: 'webRTCSession', id: 'w' }] }], {
        rtspSession: [{ id: 'r', outboundRTPPacketsReportedLost: reported, inboundRTPPacketsLost: 1000 }],
        webRTCSession: [{ id: 'w', inboundRTPPacketsLost: webrtcLost }],
      });
    p.step(raw(0, 0), T0);
    const [s] = p.step(raw(7, 3), T0 + 1000);
    expect(s.readerList[0].rtsp!.window10s).toEqual({ rtpLost: 7, rtpErrors: 0, rtcpErrors: 0 });
    expect(s.readerList[1].webrtc!.window10s).toEqual({ rtpLost: 3 });
  });

  test("the path's inboundFramesInError growth over 10 s", () => {
    const p = new Pipeline();
    const raw = (n: number): RawSnapshot => snapshot([{ name: 'cam', online: true, inboundFramesInError: n }]);
    expect(p.step(raw(2), T0)[0].inboundFramesInError10s).toBe(0);
    expect(p.step(raw(6), T0 + 1000)[0].inboundFramesInError10s).toBe(4);
    expect(p.step(raw(6), T0 + 11_000)[0].inboundFramesInError10s).toBe(0);
  });
});

describe('derive: offline and gone streams', () => {
  const online = (name: string): RawPath => ({ name, online: true, onlineTime: '2026-11-24T04:00:00Z', source: { type: 'rtmpConn', id: 'a' }, readers: [{ type: 'hlsSession', id: 'h' }] });
  const offline = (name: string): RawPath => ({ name, online: false, source: null, readers: [] });
  const conns = { rtmpConn: [{ id: 'a', inboundBytes: 100 }] as RawConn[], hlsSession: [{ id: 'h', outboundBytes: 5 }] as RawConn[] };

  test('online then listed offline: offlineSince set when seen and kept; cleared when it returns', () => {
    const p = new Pipeline();
    expect(p.step(snapshot([online('cam')], conns), T0)[0]).toMatchObject({ online: true, offlineSince: null });
    const down = p.step(snapshot([offline('cam')]), T0 + 1000)[0];
    expect(down).toMatchObject({ online: false, offlineSince: '2026-11-24T05:00:01.000Z', recvRateMbps: null, sendRateMbps: null });
    expect(p.step(snapshot([offline('cam')]), T0 + 5000)[0].offlineSince).toBe('2026-11-24T05:00:01.000Z');
    expect(p.step(snapshot([online('cam')], conns), T0 + 6000)[0]).toMatchObject({ online: true, offlineSince: null });
  });

  test('a path that was never online is not marked offline', () => {
    const p = new Pipeline();
    expect(p.step(snapshot([offline('idle')]), T0)[0].offlineSince).toBeNull();
    expect(p.step(snapshot([offline('idle')]), T0 + 1000)[0].offlineSince).toBeNull();
  });

  test('an online stream that vanished stays listed offline for the retention, then is forgotten', () => {
    const p = new Pipeline({ goneRetentionMs: 60_000 });
    p.step(snapshot([online('b-cam'), online('a-cam')], conns), T0);
    const gone = p.step(snapshot([online('a-cam')], conns), T0 + 1000);
    expect(gone.map((s) => s.name)).toEqual(['a-cam', 'b-cam']);
    expect(gone[1]).toEqual({
      node: 'n1',
      name: 'b-cam',
      confName: null,
      online: false,
      onlineSince: null,
      offlineSince: '2026-11-24T05:00:01.000Z',
      sourceType: null,
      tracks: [],
      video: null,
      bytesReceived: 0,
      bytesSent: 0,
      readers: 0,
      rtt: null,
      recvRateMbps: null,
      sendRateMbps: null,
      linkCapacityMbps: null,
      srt10s: null,
      inboundFramesInError: 0,
      inboundFramesInError10s: null,
      source: null,
      readerList: [],
      health: { level: 'ok', reasons: [] },
    });
    expect(p.step(snapshot([online('a-cam')], conns), T0 + 60_000).map((s) => s.name)).toEqual(['a-cam', 'b-cam']);
    expect(p.step(snapshot([online('a-cam')], conns), T0 + 61_000).map((s) => s.name)).toEqual(['a-cam']);
    expect(streamCount(p.state)).toBe(1);
  });

  test('a gone stream that returns is online again, with a fresh rate baseline', () => {
    const p = new Pipeline();
    p.step(snapshot([online('cam')], conns), T0);
    p.step(snapshot([]), T0 + 1000);
    const [back] = p.step(snapshot([online('cam')], conns), T0 + 2000);
    expect(back).toMatchObject({ online: true, offlineSince: null, recvRateMbps: null, readers: 1 });
  });

  test('a stream gone without ever being online is not kept; state for unseen connections is dropped', () => {
    const p = new Pipeline();
    p.step(snapshot([offline('idle'), online('cam')], conns), T0);
    expect(connCount(p.state)).toBe(2);
    expect(p.step(snapshot([]), T0 + 1000).map((s) => s.name)).toEqual(['cam']);
    expect(streamCount(p.state)).toBe(1);
    expect(connCount(p.state)).toBe(0);
  });

  test('streams are keyed by node and name', () => {
    const state = initialDeriveState();
    const a = normalize(snapshot([online('cam')], conns), { node: 'a', excludePrefixes: [] });
    const b = normalize(snapshot([online('cam')], conns), { node: 'b', excludePrefixes: [] });
    const out = derive(state, [...a, ...b], T0).streams;
    expect(out.map((s) => s.node)).toEqual(['a', 'b']);
    expect(streamCount(state)).toBe(2);
    expect(connCount(state)).toBe(4);
  });
});
