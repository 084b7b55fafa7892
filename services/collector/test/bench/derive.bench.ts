/**
 * Figures for normalize -> derive -> applyHealth at scale; prints them, asserts nothing about
 * time. Not part of the test run (the name does not end in .test.ts); start it with
 *   node --expose-gc node_modules/.bin/jest --roots '<rootDir>/services/collector/test/bench' \
 *     --testMatch '<rootDir>/services/collector/test/bench/derive.bench.ts'
 * (plain `npx jest` with the same options works too, without the state size).
 * Env: BENCH_PATHS (10000), BENCH_READERS (2), BENCH_CYCLES (65: the 60 s windows fill up).
 */
import { CONN_TYPES, type ConnType, type RawConn, type RawPath, type RawSnapshot } from '@mmon/shared';
import { derive, initialDeriveState, type DeriveState } from '../../src/derive';
import { applyHealth, DEFAULT_HEALTH_RULES } from '../../src/health';
import { normalize } from '../../src/normalize';

const PATHS = Number(process.env.BENCH_PATHS ?? 10_000);
const READERS = Number(process.env.BENCH_READERS ?? 2);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 65);

/** Poll i of a node: a mix of SRT, RTSP, RTMP and WebRTC sources, each path with READERS readers (SRT, WebRTC, HLS). */
function poll(i: number, srtOnly: boolean): RawSnapshot {
  const conns = Object.fromEntries(CONN_TYPES.map((t) => [t, [] as RawConn[]])) as Record<ConnType, RawConn[]>;
  const paths: RawPath[] = [];
  const sourceTypes: ConnType[] = srtOnly ? ['srtConn'] : ['srtConn', 'rtspSession', 'rtmpConn', 'webRTCSession'];
  const readerTypes: ConnType[] = srtOnly ? ['srtConn'] : ['srtConn', 'webRTCSession', 'hlsSession'];
  for (let p = 0; p < PATHS; p++) {
    const name = `stream-${p}`;
    const type = sourceTypes[p % sourceTypes.length];
    const id = `src-${p}`;
    conns[type].push({
      id,
      path: name,
      state: 'publish',
      inboundBytes: i * 500_000,
      bytesReceived: i * 500_000,
      msRTT: 10 + ((i + p) % 7),
      msReceiveTsbPdDelay: 120,
      mbpsReceiveRate: 4,
      packetsReceivedLoss: Math.floor(i / 10),
      packetsReceivedDrop: p % 100 === 0 ? i : 0,
      inboundRTPPacketsLost: Math.floor(i / 20),
    });
    const readers = [];
    for (let r = 0; r < READERS; r++) {
      const rtype = readerTypes[(p + r) % readerTypes.length];
      const rid = `rd-${p}-${r}`;
      conns[rtype].push({ id: rid, path: name, state: 'read', outboundBytes: i * 400_000, bytesSent: i * 400_000, msRTT: 20 });
      readers.push({ type: rtype, id: rid });
    }
    paths.push({
      name,
      online: true,
      source: { type, id },
      tracks2: [{ codec: 'H264' }],
      inboundBytes: i * 500_000,
      outboundBytes: i * 800_000,
      readers,
    });
  }
  return { info: {}, paths, conns, hlsMuxers: [] };
}

function run(label: string, srtOnly: boolean): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let state = initialDeriveState();
  const n: number[] = [];
  const d: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const raw = poll(i, srtOnly);
    const t0 = performance.now();
    const streams = normalize(raw, { node: 'bench', excludePrefixes: [] });
    const t1 = performance.now();
    const result = derive(state, streams, 1_700_000_000_000 + i * 1000);
    state = result.state;
    const t2 = performance.now();
    applyHealth(result.streams, DEFAULT_HEALTH_RULES);
    const t3 = performance.now();
    n.push(t1 - t0);
    d.push(t2 - t1);
    h.push(t3 - t2);
  }
  gc?.();
  const stateMb = ((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1);
  const size = countState(state);
  const median = (xs: number[]): string => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
  const steady = (xs: number[]): number[] => xs.slice(Math.min(61, xs.length - 1));
  console.log(
    `${label}: ${PATHS} paths x ${READERS} readers, ${CYCLES} cycles 1 s apart; median ms after the windows filled: ` +
      `normalize ${median(steady(n))}, derive ${median(steady(d))}, health ${median(steady(h))}; ` +
      `state ${size.streams} streams, ${size.conns} connections, ` +
      (gc ? `${stateMb} MB` : 'size unknown (run jest under node --expose-gc)'),
  );
}

function countState(state: DeriveState): { streams: number; conns: number } {
  let streams = 0;
  let conns = 0;
  for (const node of state.nodes.values()) {
    streams += node.streams.size;
    conns += node.conns.size;
  }
  return { streams, conns };
}

test('derive benchmark (figures only)', () => {
  run('mixed protocols', false);
  run('all SRT', true);
});
