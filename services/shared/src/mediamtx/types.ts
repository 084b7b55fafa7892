/**
 * The parts of MediaMTX's Control API (v3) that the monitor reads, as MediaMTX sends them.
 * Every field is optional: older releases lack the newer names (online, inboundBytes, tracks2)
 * and carry the deprecated ones (ready, bytesReceived, tracks) instead.
 * Reference: ../shared/contracts/mediamtx-control-api-v1.20.1.openapi.yaml.
 */

export interface RawInfo {
  version?: string;
  started?: string;
}

export interface RawList<T> {
  itemCount?: number;
  pageCount?: number;
  items?: T[];
}

export interface RawRef {
  type?: string;
  id?: string;
}

export interface RawTrack {
  codec?: string;
  codecProps?: Record<string, unknown> | null;
}

export interface RawPath {
  name?: string;
  confName?: string;
  source?: RawRef | null;
  available?: boolean;
  availableTime?: string | null;
  online?: boolean;
  onlineTime?: string | null;
  ready?: boolean;
  readyTime?: string | null;
  tracks?: string[];
  tracks2?: RawTrack[];
  inboundBytes?: number;
  outboundBytes?: number;
  inboundFramesInError?: number;
  bytesReceived?: number;
  bytesSent?: number;
  readers?: RawRef[];
}

/** One item of any connection or session list; which fields exist depends on the protocol. */
export type RawConn = Record<string, unknown> & {
  id?: string;
  path?: string;
  state?: string;
  remoteAddr?: string;
  userAgent?: string;
  created?: string;
};

/** Connection-like lists that paths refer to by { type, id }, keyed by MediaMTX's type name. */
export const CONN_TYPES = [
  'srtConn',
  'rtmpConn',
  'rtmpsConn',
  'rtspSession',
  'rtspsSession',
  'webRTCSession',
  'hlsSession',
  'moqSession',
] as const;
export type ConnType = (typeof CONN_TYPES)[number];

/** Everything one poll of a MediaMTX node reads. */
export interface RawSnapshot {
  info: RawInfo;
  paths: RawPath[];
  /** Items of each connection list, by type; a list the server does not serve is empty. */
  conns: Record<ConnType, RawConn[]>;
  /** HLS muxers (one per path being served over HLS). */
  hlsMuxers: RawConn[];
  /** True when every connection list was read; false when only some connections were (by id). */
  connsComplete: boolean;
}

export type ApiLayout = 'v1.20' | 'v1.21';

/** The list endpoint of each kind, in both layouts (v1.21 moved them under the protocol's folder). */
export const LIST_ENDPOINTS: Record<ConnType | 'hlsMuxer', Record<ApiLayout, string>> = {
  srtConn: { 'v1.20': '/v3/srtconns/list', 'v1.21': '/v3/srt/conns/list' },
  rtmpConn: { 'v1.20': '/v3/rtmpconns/list', 'v1.21': '/v3/rtmp/conns/list' },
  rtmpsConn: { 'v1.20': '/v3/rtmpsconns/list', 'v1.21': '/v3/rtmps/conns/list' },
  rtspSession: { 'v1.20': '/v3/rtspsessions/list', 'v1.21': '/v3/rtsp/sessions/list' },
  rtspsSession: { 'v1.20': '/v3/rtspssessions/list', 'v1.21': '/v3/rtsps/sessions/list' },
  webRTCSession: { 'v1.20': '/v3/webrtcsessions/list', 'v1.21': '/v3/webrtc/sessions/list' },
  hlsSession: { 'v1.20': '/v3/hlssessions/list', 'v1.21': '/v3/hls/sessions/list' },
  moqSession: { 'v1.20': '/v3/moqsessions/list', 'v1.21': '/v3/moq/sessions/list' },
  hlsMuxer: { 'v1.20': '/v3/hlsmuxers/list', 'v1.21': '/v3/hls/muxers/list' },
};

export const PATHS_LIST = '/v3/paths/list';
export const INFO = '/v3/info';
