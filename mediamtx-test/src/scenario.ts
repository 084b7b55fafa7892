/**
 * What the emulator serves: paths with their publisher and readers, described once and rendered
 * on every request. Counters are specs (a start value plus a rate per second), so the numbers grow
 * with the emulator's clock without anything running in the background.
 */
import type { ConnType } from '@mmon/shared';

/**
 * A counter: a fixed number, or `base + rate * seconds` since it was set, plus an optional
 * sine wobble of amplitude `wobble` over `periodS` seconds (for gauges such as msRTT).
 */
export type CounterSpec = number | { base?: number; rate?: number; wobble?: number; periodS?: number };

/** Counter specs by MediaMTX field name (inboundBytes, packetsReceivedDrop, msRTT, ...). */
export type Counters = Record<string, CounterSpec>;

/** One connection or session of any protocol. Fields a protocol lacks are ignored for it. */
export interface ScenarioConn {
  type: ConnType;
  /** A UUID, unique across all connections (see connId()). */
  id: string;
  remoteAddr?: string;
  /** RFC 3339 time; default: when the connection was added. */
  created?: string;
  query?: string;
  user?: string;
  userAgent?: string;
  /** RTSP: "TCP", "UDP", "UDP-multicast" (null allowed); MoQ: "webtransport" or "quic". */
  transport?: string | null;
  /** RTSP: "AVP" or "SAVP" (null allowed). */
  profile?: string | null;
  /** RTSP: ids of the RTSP connections of the session. */
  conns?: string[];
  /** WebRTC. */
  localCandidate?: string;
  remoteCandidate?: string;
  peerConnectionEstablished?: boolean;
  /** HLS session. */
  isCDN?: boolean;
  /** MoQ: moqt-16 ... moqt-19. */
  version?: string;
  counters?: Counters;
}

/** A source that is not a connection (MediaMTX pulls it itself): rtspSource, hlsSource, srtSource, ... */
export interface StaticSource {
  type:
    | 'hlsSource'
    | 'redirect'
    | 'rpiCameraSource'
    | 'rtmpSource'
    | 'rtspSource'
    | 'srtSource'
    | 'mpegtsSource'
    | 'rtpSource'
    | 'webRTCSource'
    | 'moqSource';
  /** When the source went online; default: when it was set. */
  since?: string;
}

export type Source = ScenarioConn | StaticSource;

export interface ScenarioTrack {
  /** A PathTrackCodec of the API, e.g. "H264", "MPEG-4 Audio", "Opus". */
  codec: string;
  codecProps?: Record<string, unknown> | null;
}

export interface HlsMuxerSpec {
  created?: string;
  /** outboundBytes (default: the sum of the path's HLS sessions) and outboundFramesDiscarded. */
  counters?: Counters;
}

export interface ScenarioPath {
  name: string;
  /** The configuration entry the path matched; default: the name. */
  confName?: string;
  /** Tracks while online (offline paths report none). */
  tracks?: ScenarioTrack[];
  /** The publisher; absent or null = offline. */
  source?: Source | null;
  /** Reading connections; each gets state "read" and this path. */
  readers?: ScenarioConn[];
  /**
   * inboundBytes, outboundBytes, inboundFramesInError. By default inboundBytes follows the source
   * connection and outboundBytes is the sum of the readers'.
   */
  counters?: Counters;
  /** HLS muxer of the path; created automatically when it has HLS readers. */
  hlsMuxer?: HlsMuxerSpec;
}

export interface Scenario {
  paths: ScenarioPath[];
  /** Connections attached to no path yet (state "idle"). */
  idleConns?: ScenarioConn[];
}

export function isConnSource(source: Source): source is ScenarioConn {
  return 'id' in source;
}
