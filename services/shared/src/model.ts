/**
 * The data model that the collector writes to Redis and the API serves. Field names here are a
 * contract with users (the design's stream fields, issue #2 and #4): add beside them, never rename.
 */

export type HealthLevel = 'ok' | 'warn' | 'crit';

export interface Health {
  level: HealthLevel;
  /** Readable reasons, e.g. "SRT drop 3 packets in 10 s"; empty when ok. */
  reasons: string[];
}

/** Protocol family of a connection, derived from MediaMTX's type. */
export type Protocol = 'srt' | 'rtmp' | 'rtmps' | 'rtsp' | 'rtsps' | 'webrtc' | 'hls' | 'moq';

export type Direction = 'publish' | 'read';

/** Packet counts over a sliding window (SRT). For a reader these are the send-side counterparts. */
export interface SrtWindow {
  seconds: number;
  loss: number;
  retrans: number;
  drop: number;
  belated: number;
  undecrypt: number;
  rttP50Ms: number | null;
  rttP95Ms: number | null;
}

export interface SrtDetail {
  rttMs: number | null;
  linkCapacityMbps: number | null;
  /** msReceiveTsbPdDelay for a publisher, msSendTsbPdDelay for a reader. */
  latencyMs: number | null;
  mbpsReceiveRate: number | null;
  mbpsSendRate: number | null;
  /** Cumulative counters as MediaMTX reports them. */
  packetsReceived: number;
  packetsSent: number;
  packetsReceivedLoss: number;
  packetsReceivedRetrans: number;
  packetsReceivedDrop: number;
  packetsReceivedBelated: number;
  packetsReceivedUndecrypt: number;
  packetsSendLoss: number;
  packetsRetrans: number;
  packetsSendDrop: number;
  window10s: SrtWindow | null;
  window60s: SrtWindow | null;
}

export interface RtspDetail {
  transport: string | null;
  profile: string | null;
  rtpPacketsLost: number;
  rtpPacketsInError: number;
  rtcpPacketsInError: number;
  jitter: number | null;
  rtpPacketsReportedLost: number;
  rtpPacketsDiscarded: number;
  /** Deltas over the last 10 s (reset-safe). */
  window10s: { rtpLost: number; rtpErrors: number; rtcpErrors: number } | null;
}

export interface WebrtcDetail {
  peerConnectionEstablished: boolean | null;
  localCandidate: string | null;
  remoteCandidate: string | null;
  jitter: number | null;
  rtpPacketsLost: number;
  framesDiscarded: number;
  window10s: { rtpLost: number } | null;
}

export interface RtmpDetail {
  framesDiscarded: number;
}

export interface HlsDetail {
  /** Muxer (per path): last request time and discarded frames. Session: CDN flag. */
  lastRequest: string | null;
  framesDiscarded: number | null;
  isCDN: boolean | null;
}

export interface MoqDetail {
  transport: string | null;
  version: string | null;
  state: string | null;
}

export interface Connection {
  id: string;
  /** MediaMTX's type, e.g. srtConn, rtspSession, webRTCSession, hlsSession, rtspSource. */
  type: string;
  protocol: Protocol | null;
  direction: Direction;
  remoteAddr: string | null;
  userAgent: string | null;
  created: string | null;
  bytesIn: number;
  bytesOut: number;
  rateInMbps: number | null;
  rateOutMbps: number | null;
  health: Health;
  srt?: SrtDetail;
  rtsp?: RtspDetail;
  webrtc?: WebrtcDetail;
  rtmp?: RtmpDetail;
  hls?: HlsDetail;
  moq?: MoqDetail;
}

/** The first video track's codec and size, from MediaMTX's tracks2 codecProps. */
export interface VideoInfo {
  codec: string;
  width: number | null;
  height: number | null;
}

/** The SRT publisher's packet counts over the last 10 s (see SrtWindow); fixed size, for alerts and history. */
export interface SrtCounts10s {
  loss: number;
  retrans: number;
  drop: number;
  belated: number;
  undecrypt: number;
}

/**
 * A stream's summary (issue #8): what the overview, the alerter, /metrics, history and the
 * snapshotter need, refreshed every cycle. Nothing in it grows with the number of connections.
 * `mediamtx:streams:latest` holds the summaries of every node.
 */
export interface StreamSummary {
  /** The MediaMTX node; a stream is identified by node and name together. */
  node: string;
  name: string;
  confName: string | null;
  online: boolean;
  /** When the stream went online (MediaMTX's onlineTime / readyTime), or went offline when we saw it go. */
  onlineSince: string | null;
  offlineSince: string | null;
  /** MediaMTX's source type (srtConn, rtmpConn, …); null when nobody publishes. */
  sourceType: string | null;
  /** Codec names, e.g. ["H264", "MPEG-4 Audio"]. */
  tracks: string[];
  /** The first video track: codec and size when MediaMTX reports them; null without video. */
  video: VideoInfo | null;
  /** The path's inbound bytes. */
  bytesReceived: number;
  /** The path's outbound bytes. */
  bytesSent: number;
  /** Number of readers. */
  readers: number;
  /** SRT source's msRTT in ms; null for other protocols. */
  rtt: number | null;
  /** SRT: the source's mbpsReceiveRate; else derived from inbound byte deltas; null until two samples exist. */
  recvRateMbps: number | null;
  /** Derived from outbound byte deltas; null until two samples exist. */
  sendRateMbps: number | null;
  /** SRT source's mbpsLinkCapacity; else null. */
  linkCapacityMbps: number | null;
  /** SRT source's packet counts in the last 10 s; null for other protocols or before two samples. */
  srt10s: SrtCounts10s | null;
  health: Health;
}

/**
 * A stream's detail: its summary plus every connection (source and readers with their protocol
 * blocks) and the path's frame-error counters. Served one at a time (/api/streams/detail), to
 * scripts (?detail=1) and to dashboards that show the stream.
 */
export interface Stream extends StreamSummary {
  inboundFramesInError: number;
  /** Growth of inboundFramesInError over the last 10 s (reset-safe); null until derived or when gone. */
  inboundFramesInError10s?: number | null;
  source: Connection | null;
  readerList: Connection[];
}

/** What a stream's detail adds to its summary, as the per-node details hash stores it. */
export type StreamDetailPart = Pick<Stream, 'inboundFramesInError' | 'inboundFramesInError10s' | 'source' | 'readerList'>;

/** The summary of a detailed stream (a new object; the connections are left out). */
export function toSummary(s: Stream): StreamSummary {
  return {
    node: s.node,
    name: s.name,
    confName: s.confName,
    online: s.online,
    onlineSince: s.onlineSince,
    offlineSince: s.offlineSince,
    sourceType: s.sourceType,
    tracks: s.tracks,
    video: s.video,
    bytesReceived: s.bytesReceived,
    bytesSent: s.bytesSent,
    readers: s.readers,
    rtt: s.rtt,
    recvRateMbps: s.recvRateMbps,
    sendRateMbps: s.sendRateMbps,
    linkCapacityMbps: s.linkCapacityMbps,
    srt10s: s.srt10s,
    health: s.health,
  };
}

/** The detail part of a detailed stream, as stored beside the summaries. */
export function toDetailPart(s: Stream): StreamDetailPart {
  return {
    inboundFramesInError: s.inboundFramesInError,
    inboundFramesInError10s: s.inboundFramesInError10s ?? null,
    source: s.source,
    readerList: s.readerList,
  };
}

/** What one collector writes about its node, beside the streams. */
export interface CollectorStatus {
  node: string;
  stale: boolean;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  lastCycleMs: number | null;
  /** CPU time (user + system) of the last cycle, in ms. */
  lastCycleCpuMs: number | null;
  mediamtxVersion: string | null;
  /** False when the version is not one the collector was tested against. */
  versionTested: boolean | null;
  /** Which list layout the node answers: v1.20 (/v3/srtconns/list) or v1.21 (/v3/srt/conns/list). */
  apiLayout: 'v1.20' | 'v1.21' | null;
  intervalMs: number;
  streams: number;
  online: number;
  readers: number;
  /** The interval the loop actually keeps: the configured one, or the last cycle's length when it overran. */
  effectiveIntervalMs: number;
  /** How old the connection detail may be on this node: one interval, or up to 5 s on large servers. */
  detailRefreshMs: number;
  /** When every connection list was last read (the age of the detail of streams nobody views). */
  detailCollectedAt: string | null;
  /** Items of the last cycle that were skipped (no identity) or repaired (wrong-typed fields set to null). */
  itemsSkipped: number;
  itemsRepaired: number;
}

export interface StreamsMeta {
  collectedAt: string;
  /** When the merged view was last rebuilt (Redis' clock, ms). */
  builtAt?: number;
  nodes: string[];
}
