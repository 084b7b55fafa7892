import {
  CONN_TYPES,
  type Connection,
  type Direction,
  type RawConn,
  type RawPath,
  type RawRef,
  type RawSnapshot,
  type Stream,
  type VideoInfo,
} from '@mmon/shared';
import { OK_HEALTH } from './health';
import { toConnection } from './protocols/connection';
import { asFlag, asNumber, asText, text } from './protocols/raw';

export interface NormalizeOptions {
  /** The MediaMTX node the snapshot came from. */
  node: string;
  /** Paths whose name starts with one of these are left out; empty prefixes are ignored. */
  excludePrefixes: string[];
  /**
   * When the snapshot holds only some connections (raw.connsComplete false): the connection of
   * that type and id as the last full read made it (derived and with its health), if any.
   */
  cached?: (type: string, id: string) => Connection | undefined;
}

/** Connection lists by type, then by id. */
type ConnIndex = Map<string, Map<string, RawConn>>;

/**
 * One poll of a MediaMTX node as the monitor's streams: one Stream per path, sorted by name,
 * sources and readers joined from the connection lists. Accepts both the current field names
 * and the deprecated ones of older releases (ready, readyTime, bytesReceived, tracks). Rates,
 * windows and health are left for derive and applyHealth. Never throws on missing fields.
 */
export function normalize(raw: RawSnapshot, opts: NormalizeOptions): Stream[] {
  const prefixes = opts.excludePrefixes.filter((p) => p !== '');
  const conns = indexConns(raw.conns);
  const muxers = indexMuxers(raw.hlsMuxers);
  const cached = raw.connsComplete ? undefined : opts.cached;
  const join: Join = (ref, direction, muxer) => {
    const type = asText(ref.type) ?? '';
    const id = asText(ref.id) ?? '';
    const item = conns.get(type)?.get(id);
    if (item === undefined && cached !== undefined) {
      const kept = cached(type, id);
      if (kept !== undefined && kept.direction === direction) return kept;
    }
    return toConnection(type, id, direction, item, muxer);
  };
  const streams: Stream[] = [];
  for (const path of raw.paths ?? []) {
    if (!isObject(path)) continue;
    const name = asText(path.name) ?? '';
    if (prefixes.some((p) => name.startsWith(p))) continue;
    streams.push(toStream(path, name, opts.node, join, muxers.get(name)));
  }
  return streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A path's reference to a connection, joined with that connection's figures. */
type Join = (ref: RawRef, direction: Direction, muxer: RawConn | undefined) => Connection;

function toStream(path: RawPath, name: string, node: string, join: Join, muxer: RawConn | undefined): Stream {
  const source = isObject(path.source) ? join(path.source, 'publish', muxer) : null;
  const readerList: Connection[] = [];
  for (const ref of path.readers ?? []) {
    if (isObject(ref)) readerList.push(join(ref, 'read', muxer));
  }
  const srt = source?.srt;
  return {
    node,
    name,
    confName: asText(path.confName),
    online: asFlag(path.online) ?? asFlag(path.ready) ?? false,
    onlineSince: asText(path.onlineTime) ?? asText(path.readyTime),
    offlineSince: null,
    sourceType: source?.type ?? null,
    tracks: tracksOf(path),
    video: videoOf(path),
    bytesReceived: asNumber(path.inboundBytes) ?? asNumber(path.bytesReceived) ?? 0,
    bytesSent: asNumber(path.outboundBytes) ?? asNumber(path.bytesSent) ?? 0,
    readers: readerList.length,
    rtt: srt?.rttMs ?? null,
    recvRateMbps: srt?.mbpsReceiveRate ?? null,
    sendRateMbps: null,
    linkCapacityMbps: srt?.linkCapacityMbps ?? null,
    srt10s: null,
    inboundFramesInError: asNumber(path.inboundFramesInError) ?? 0,
    source,
    readerList,
    health: OK_HEALTH,
  };
}

function tracksOf(path: RawPath): string[] {
  if (Array.isArray(path.tracks2)) {
    const codecs: string[] = [];
    for (const track of path.tracks2) {
      const codec = isObject(track) ? asText(track.codec) : null;
      if (codec !== null) codecs.push(codec);
    }
    return codecs;
  }
  return Array.isArray(path.tracks) ? path.tracks.filter((t): t is string => typeof t === 'string') : [];
}

/** MediaMTX's video codec names (tracks2[].codec). */
const VIDEO_CODECS = new Set(['AV1', 'VP9', 'VP8', 'H265', 'H264', 'MPEG-4 Video', 'MPEG-1/2 Video', 'M-JPEG']);

/** The first video track of tracks2 with its size from codecProps (null where MediaMTX does not say). */
function videoOf(path: RawPath): VideoInfo | null {
  if (!Array.isArray(path.tracks2)) return null;
  for (const track of path.tracks2) {
    const codec = isObject(track) ? asText(track.codec) : null;
    if (codec === null || !VIDEO_CODECS.has(codec)) continue;
    const props = isObject(track.codecProps) ? track.codecProps : undefined;
    return { codec, width: dimension(props?.width), height: dimension(props?.height) };
  }
  return null;
}

function dimension(value: unknown): number | null {
  const n = asNumber(value);
  return n !== undefined && Number.isInteger(n) && n > 0 && n <= 65535 ? n : null;
}

function indexConns(lists: Partial<Record<string, RawConn[]>> | undefined): ConnIndex {
  const index: ConnIndex = new Map();
  for (const type of CONN_TYPES) {
    const byId = new Map<string, RawConn>();
    for (const item of lists?.[type] ?? []) {
      if (isObject(item) && typeof item.id === 'string') byId.set(item.id, item);
    }
    index.set(type, byId);
  }
  return index;
}

function indexMuxers(muxers: RawConn[] | undefined): Map<string, RawConn> {
  const byPath = new Map<string, RawConn>();
  for (const muxer of muxers ?? []) {
    const path = isObject(muxer) ? text(muxer, 'path') : null;
    if (path !== null) byPath.set(path, muxer);
  }
  return byPath;
}

function isObject<T extends object>(value: T | null | undefined): value is T {
  return typeof value === 'object' && value !== null;
}
