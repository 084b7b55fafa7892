import type { Connection, Stream } from '@mmon/shared';
import { CounterWindow } from './counterWindow';
import { OK_HEALTH } from './health';
import { hasNativeFigures } from './protocols/connection';
import { reading, unknownCounters } from './protocols/raw';
import { RateSeries } from './rates';
import { SrtWindows } from './srtWindow';

export interface DeriveOptions {
  /** Rates are averaged over the samples of about this span (see RateSeries). */
  smoothingMs: number;
  /** How long a stream that was online and vanished from MediaMTX's list stays listed as offline. */
  goneRetentionMs: number;
  /**
   * False when the streams' connections were not all read this cycle (a large server between two
   * full reads): the state of connections not seen is kept rather than forgotten.
   */
  connsComplete: boolean;
  /**
   * The most any link plausibly carries, in Gbit/s (MEDIAMTX_MAX_PLAUSIBLE_GBPS): a byte counter
   * that grows faster between two polls starts a new baseline, like one that goes down, so no
   * derived rate exceeds it; packet and frame counters are bounded by the same rate in packets of
   * MIN_PACKET_BYTES.
   */
  maxPlausibleGbps: number;
}

export const DEFAULT_DERIVE_OPTIONS: DeriveOptions = {
  smoothingMs: 5000,
  goneRetentionMs: 600_000,
  connsComplete: true,
  maxPlausibleGbps: 100,
};

/** The smallest packet that counts toward the plausible packet rate (a minimal Ethernet frame). */
export const MIN_PACKET_BYTES = 64;

/** Window of the RTP counters and the path's frames in error. */
const SHORT_WINDOW_MS = 10_000;
const scratch = [0, 0, 0];

interface StreamState {
  /** Cycle in which the stream was last listed. */
  seen: number;
  name: string;
  confName: string | null;
  online: boolean;
  wasOnline: boolean;
  offlineSince: string | null;
  goneSinceMs: number | null;
  /** The source the byte baseline belongs to (a new publisher restarts MediaMTX's counters). */
  sourceType: string | null;
  sourceId: string | null;
  bytesIn: RateSeries;
  bytesOut: RateSeries;
  framesInError: CounterWindow;
}

interface ConnState {
  seen: number;
  type: string;
  /** The connection object derived last: one kept from an earlier read is not derived again. */
  derived: Connection | null;
  /** Only when a native rate is missing. */
  bytesIn: RateSeries | null;
  bytesOut: RateSeries | null;
  srt: SrtWindows | null;
  /** RTSP: [rtpLost, rtpErrors, rtcpErrors]; WebRTC: [rtpLost]. */
  rtp: CounterWindow | null;
}

/** Per node: streams by name, connections by id (their type is checked on every use). */
interface NodeState {
  streams: Map<string, StreamState>;
  conns: Map<string, ConnState>;
}

/**
 * What derive remembers between cycles, keyed by node+name and node+connection id. Each call
 * describes the whole picture: it forgets the connections and (after the retention) the streams
 * that the call's streams don't hold. derive updates the state in place and returns it; keep
 * only the returned state. Memory: a few numbers per stream and connection, plus up to 61 RTT
 * samples per SRT connection and the steps where a loss/error counter grew.
 */
export interface DeriveState {
  cycle: number;
  nodes: Map<string, NodeState>;
}

export function initialDeriveState(): DeriveState {
  return { cycle: 0, nodes: new Map() };
}

/**
 * Adds what needs history to normalized streams: stream and connection rates (smoothed,
 * reset-safe; native SRT rates win), SRT 10 s / 60 s windows, RTSP/WebRTC RTP and path
 * frames-in-error growth over 10 s, and offline tracking. A stream seen online that goes offline
 * keeps offlineSince; one that vanished from MediaMTX's list is kept as an offline stream for
 * goneRetentionMs or until it returns. The derived fields are filled into the given streams
 * (normalize's fresh objects; copying 10k streams and their connections again per poll costs more
 * than everything else derive does). Output: the given streams in input order, followed by gone
 * ones; sorted by node and name when gone streams were added.
 */
export function derive(
  prev: DeriveState,
  streams: Stream[],
  nowMs: number,
  options: Partial<DeriveOptions> = {},
): { streams: Stream[]; state: DeriveState } {
  const opts: DeriveOptions = { ...DEFAULT_DERIVE_OPTIONS, ...options };
  const state = prev;
  const cycle = ++state.cycle;
  const out: Stream[] = [];
  const maxBytesPerMs = (opts.maxPlausibleGbps * 1e9) / 8 / 1000;
  const maxPacketsPerMs = maxBytesPerMs / MIN_PACKET_BYTES;
  let ctx: Ctx | undefined;
  for (const stream of streams) {
    // Streams of one node come together; look the node up only when it changes.
    if (ctx === undefined || stream.node !== ctx.nodeName) {
      let node = state.nodes.get(stream.node);
      if (node === undefined) state.nodes.set(stream.node, (node = { streams: new Map(), conns: new Map() }));
      ctx = { cycle, now: nowMs, opts, maxBytesPerMs, maxPacketsPerMs, node, nodeName: stream.node };
    }
    deriveStream(ctx, stream);
    out.push(stream);
  }

  let gone = false;
  for (const [nodeName, node] of state.nodes) {
    for (const [name, st] of node.streams) {
      if (st.seen === cycle) continue;
      st.goneSinceMs ??= nowMs;
      if (!st.wasOnline || nowMs - st.goneSinceMs >= opts.goneRetentionMs) {
        node.streams.delete(name);
        continue;
      }
      out.push(goneStream(nodeName, st, nowMs));
      gone = true;
    }
    if (opts.connsComplete) for (const [id, cs] of node.conns) if (cs.seen !== cycle) node.conns.delete(id);
    if (node.streams.size === 0) state.nodes.delete(nodeName);
  }

  if (gone) out.sort(byNodeAndName);
  return { streams: out, state };
}

interface Ctx {
  cycle: number;
  now: number;
  opts: DeriveOptions;
  /** The plausible bounds of one counter's growth per ms. */
  maxBytesPerMs: number;
  maxPacketsPerMs: number;
  node: NodeState;
  nodeName: string;
}

function deriveStream(ctx: Ctx, stream: Stream): void {
  const { now, opts } = ctx;
  let st = ctx.node.streams.get(stream.name);
  if (st === undefined) {
    st = {
      seen: 0,
      name: stream.name,
      confName: null,
      online: false,
      wasOnline: false,
      offlineSince: null,
      goneSinceMs: null,
      sourceType: null,
      sourceId: null,
      bytesIn: new RateSeries(ctx.maxBytesPerMs),
      bytesOut: new RateSeries(ctx.maxBytesPerMs),
      framesInError: new CounterWindow(1, SHORT_WINDOW_MS, ctx.maxPacketsPerMs),
    };
    ctx.node.streams.set(stream.name, st);
  }
  st.seen = ctx.cycle;
  st.goneSinceMs = null;
  st.confName = stream.confName;

  const sourceType = stream.source?.type ?? null;
  const sourceId = stream.source?.id ?? null;
  let recvRateMbps: number | null = null;
  let sendRateMbps: number | null = null;
  // Counters MediaMTX did not give this poll are no reading (NaN): not 0, which would look like a reset.
  const unknown = unknownCounters(stream);
  if (stream.online) {
    if (!st.online || sourceType !== st.sourceType || sourceId !== st.sourceId) {
      st.bytesIn.clear();
      st.bytesOut.clear();
    }
    st.bytesIn.push(now, reading(stream.bytesReceived, 'bytesReceived', unknown), opts.smoothingMs);
    st.bytesOut.push(now, reading(stream.bytesSent, 'bytesSent', unknown), opts.smoothingMs);
    recvRateMbps = stream.recvRateMbps ?? st.bytesIn.rate();
    sendRateMbps = st.bytesOut.rate();
    st.wasOnline = true;
    st.offlineSince = null;
  } else {
    st.bytesIn.clear();
    st.bytesOut.clear();
    if (st.wasOnline) st.offlineSince ??= new Date(now).toISOString();
  }
  st.online = stream.online;
  st.sourceType = sourceType;
  st.sourceId = sourceId;
  scratch[0] = reading(stream.inboundFramesInError, 'inboundFramesInError', unknown);
  st.framesInError.push(now, scratch);

  stream.offlineSince = st.offlineSince;
  stream.recvRateMbps = recvRateMbps;
  stream.sendRateMbps = sendRateMbps;
  stream.inboundFramesInError10s = st.framesInError.sum(now, SHORT_WINDOW_MS, scratch)[0];
  if (stream.source !== null) deriveConn(ctx, stream.source);
  for (const reader of stream.readerList) deriveConn(ctx, reader);
  const w = stream.source?.srt?.window10s;
  stream.srt10s = w ? { loss: w.loss, retrans: w.retrans, drop: w.drop, belated: w.belated, undecrypt: w.undecrypt } : null;
}

function deriveConn(ctx: Ctx, conn: Connection): void {
  // Without native figures the counters are placeholders: no rates, no windows.
  if (!hasNativeFigures(conn)) return;
  const { now, opts } = ctx;
  let cs = ctx.node.conns.get(conn.id);
  if (cs === undefined || cs.type !== conn.type) {
    cs = { seen: 0, type: conn.type, derived: null, bytesIn: null, bytesOut: null, srt: null, rtp: null };
    ctx.node.conns.set(conn.id, cs);
  }
  cs.seen = ctx.cycle;
  if (cs.derived === conn) return;
  cs.derived = conn;

  const unknown = unknownCounters(conn);
  let rateInMbps = conn.srt?.mbpsReceiveRate ?? null;
  let rateOutMbps = conn.srt?.mbpsSendRate ?? null;
  if (rateInMbps === null) {
    cs.bytesIn ??= new RateSeries(ctx.maxBytesPerMs);
    cs.bytesIn.push(now, reading(conn.bytesIn, 'bytesIn', unknown), opts.smoothingMs);
    rateInMbps = cs.bytesIn.rate();
  }
  if (rateOutMbps === null) {
    cs.bytesOut ??= new RateSeries(ctx.maxBytesPerMs);
    cs.bytesOut.push(now, reading(conn.bytesOut, 'bytesOut', unknown), opts.smoothingMs);
    rateOutMbps = cs.bytesOut.rate();
  }
  conn.rateInMbps = rateInMbps;
  conn.rateOutMbps = rateOutMbps;

  if (conn.srt !== undefined) {
    const srt = (cs.srt ??= new SrtWindows(ctx.maxPacketsPerMs));
    srt.push(now, conn.srt, conn.direction, unknown);
    conn.srt.window10s = srt.window(now, 10);
    conn.srt.window60s = srt.window(now, 60);
  }
  if (conn.rtsp !== undefined) {
    // A publisher's loss is what MediaMTX misses; a reader's is what its client reports lost.
    scratch[0] =
      conn.direction === 'publish'
        ? reading(conn.rtsp.rtpPacketsLost, 'rtpPacketsLost', unknown)
        : reading(conn.rtsp.rtpPacketsReportedLost, 'rtpPacketsReportedLost', unknown);
    scratch[1] = reading(conn.rtsp.rtpPacketsInError, 'rtpPacketsInError', unknown);
    scratch[2] = reading(conn.rtsp.rtcpPacketsInError, 'rtcpPacketsInError', unknown);
    const rtp = (cs.rtp ??= new CounterWindow(3, SHORT_WINDOW_MS, ctx.maxPacketsPerMs));
    rtp.push(now, scratch);
    const sums = rtp.sum(now, SHORT_WINDOW_MS, scratch); // indexed, not destructured: no iterator per call
    conn.rtsp.window10s = { rtpLost: sums[0], rtpErrors: sums[1], rtcpErrors: sums[2] };
  }
  if (conn.webrtc !== undefined) {
    scratch[0] = reading(conn.webrtc.rtpPacketsLost, 'rtpPacketsLost', unknown);
    const rtp = (cs.rtp ??= new CounterWindow(1, SHORT_WINDOW_MS, ctx.maxPacketsPerMs));
    rtp.push(now, scratch);
    conn.webrtc.window10s = { rtpLost: rtp.sum(now, SHORT_WINDOW_MS, scratch)[0] };
  }
}

/** A stream that was online and vanished from MediaMTX's list, shown as offline. */
function goneStream(node: string, st: StreamState, now: number): Stream {
  st.online = false;
  st.sourceType = null;
  st.sourceId = null;
  st.bytesIn.clear();
  st.bytesOut.clear();
  st.offlineSince ??= new Date(now).toISOString();
  return {
    node,
    name: st.name,
    confName: st.confName,
    online: false,
    onlineSince: null,
    offlineSince: st.offlineSince,
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
    health: OK_HEALTH,
  };
}

function byNodeAndName(a: Stream, b: Stream): number {
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
