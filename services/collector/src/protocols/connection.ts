import type { Connection, Direction, Protocol, RawConn } from '@mmon/shared';
import { hlsDetail } from './hls';
import { moqDetail } from './moq';
import { num, text } from './raw';
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
 * native figures are known", which derive relies on.
 */
export function toConnection(
  type: string,
  id: string,
  direction: Direction,
  raw: RawConn | undefined,
  hlsMuxer: RawConn | undefined,
): Connection {
  const protocol = protocolOf(type);
  const conn: Connection = {
    id,
    type,
    protocol,
    direction,
    remoteAddr: text(raw, 'remoteAddr'),
    userAgent: text(raw, 'userAgent'),
    created: text(raw, 'created'),
    bytesIn: num(raw, 'inboundBytes') ?? num(raw, 'bytesReceived') ?? 0,
    bytesOut: num(raw, 'outboundBytes') ?? num(raw, 'bytesSent') ?? 0,
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
  switch (protocol) {
    case 'srt':
      conn.srt = srtDetail(raw, direction);
      break;
    case 'rtsp':
    case 'rtsps':
      conn.rtsp = rtspDetail(raw);
      break;
    case 'webrtc':
      conn.webrtc = webrtcDetail(raw);
      break;
    case 'rtmp':
    case 'rtmps':
      conn.rtmp = rtmpDetail(raw);
      break;
    case 'hls':
      conn.hls = hlsDetail(raw, hlsMuxer);
      break;
    case 'moq':
      conn.moq = moqDetail(raw);
      break;
    case null:
      break;
  }
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
