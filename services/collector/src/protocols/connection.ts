import type { Connection, Direction, Protocol, RawConn } from '@mmon/shared';
import { hlsDetail } from './hls';
import { moqDetail } from './moq';
import { Fields, type ItemAudit } from './raw';
import { rtmpDetail } from './rtmp';
import { rtspDetail } from './rtsp';
import { srtDetail } from './srt';
import { webrtcDetail } from './webrtc';
import { OK_HEALTH } from '../health';

/** MediaMTX's source and reader types and the protocol each speaks; other types have none. */
const PROTOCOL_OF_TYPE = new Map<string, Protocol>([
  ['srtConn', 'srt'],
  ['rtmpConn', 'rtmp'],
  ['rtmpsConn', 'rtmps'],
  ['rtspSession', 'rtsp'],
  ['rtspsSession', 'rtsps'],
  ['webRTCSession', 'webrtc'],
  ['hlsSession', 'hls'],
  ['moqSession', 'moq'],
  ['rtspSource', 'rtsp'],
  ['rtmpSource', 'rtmp'],
  ['srtSource', 'srt'],
  ['webRTCSource', 'webrtc'],
  ['hlsSource', 'hls'],
  ['moqSource', 'moq'],
]);

export function protocolOf(type: string): Protocol | null {
  return PROTOCOL_OF_TYPE.get(type) ?? null;
}

/**
 * One source or reader of a path. `raw` is its item from the connection list of its type; when
 * the path refers to a connection that no list holds (a pulled source such as rtspSource, or one
 * that closed between two list reads) the connection carries only what is known: type, id,
 * protocol, nulls and zeros, and no protocol block. A protocol block therefore means "the
 * native figures are known", which derive relies on. A wrong-typed field of the item (or of the
 * path's HLS muxer) reads as absent and counts the item as repaired in `audit`.
 */
export function toConnection(
  type: string,
  id: string,
  direction: Direction,
  raw: RawConn | undefined,
  hlsMuxer: RawConn | undefined,
  audit?: ItemAudit,
): Connection {
  const protocol = protocolOf(type);
  const f = new Fields(raw);
  const conn: Connection = {
    id,
    type,
    protocol,
    direction,
    remoteAddr: f.text('remoteAddr'),
    userAgent: f.text('userAgent'),
    created: f.text('created'),
    bytesIn: f.counterOf('bytesIn', 'inboundBytes', 'bytesReceived'),
    bytesOut: f.counterOf('bytesOut', 'outboundBytes', 'bytesSent'),
    rateInMbps: null,
    rateOutMbps: null,
    health: OK_HEALTH,
    // Every connection object gets the same shape (absent blocks are undefined, which JSON
    // leaves out): keeps the property accesses and copies in derive and health monomorphic.
    srt: undefined,
    rtsp: undefined,
    webrtc: undefined,
    rtmp: undefined,
    hls: undefined,
    moq: undefined,
  };
  if (raw === undefined) return conn;
  let muxer: Fields | undefined;
  switch (protocol) {
    case 'srt':
      conn.srt = srtDetail(f, direction);
      break;
    case 'rtsp':
    case 'rtsps':
      conn.rtsp = rtspDetail(f);
      break;
    case 'webrtc':
      conn.webrtc = webrtcDetail(f);
      break;
    case 'rtmp':
    case 'rtmps':
      conn.rtmp = rtmpDetail(f);
      break;
    case 'hls':
      muxer = hlsMuxer === undefined ? undefined : new Fields(hlsMuxer);
      conn.hls = hlsDetail(f, muxer);
      break;
    case 'moq':
      conn.moq = moqDetail(f);
      break;
    case null:
      break;
  }
  f.markUnknown(conn);
  if (audit !== undefined && (f.repaired || muxer?.repaired === true)) audit.repaired++;
  return conn;
}

/** True when the connection was found in its list, i.e. its counters are MediaMTX's and not placeholders. */
export function hasNativeFigures(conn: Connection): boolean {
  return (
    conn.srt !== undefined ||
    conn.rtsp !== undefined ||
    conn.webrtc !== undefined ||
    conn.rtmp !== undefined ||
    conn.hls !== undefined ||
    conn.moq !== undefined
  );
}
