import {
  CONN_TYPES,
  type Connection,
  type Direction,
  type RawConn,
  type RawPath,
  type RawRef,
  type RawSnapshot,
  type Stream,
} from '@mmon/shared';
import { OK_HEALTH } from './health';
import { toConnection } from './protocols/connection';
import { asFlag, asNumber, asText, text } from './protocols/raw';

export interface NormalizeOptions {
  /** The MediaMTX node the snapshot came from. */
  node: string;
  /** Paths whose name starts with one of these are left out; empty prefixes are ignored. */
  excludePrefixes: string[];
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
  const streams: Stream[] = [];
  for (const path of raw.paths ?? []) {
    if (!isObject(path)) continue;
    const name = asText(path.name) ?? '';
    if (prefixes.some((p) => name.startsWith(p))) continue;
    streams.push(toStream(path, name, opts.node, conns, muxers.get(name)));
  }
  return streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toStream(path: RawPath, name: string, node: string, conns: ConnIndex, muxer: RawConn | undefined): Stream {
  const source = isObject(path.source) ? joinConn(path.source, 'publish', conns, muxer) : null;
  const readerList: Connection[] = [];
  for (const ref of path.readers ?? []) {
    if (isObject(ref)) readerList.push(joinConn(ref, 'read', conns, muxer));
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
    bytesReceived: asNumber(path.inboundBytes) ?? asNumber(path.bytesReceived) ?? 0,
    bytesSent: asNumber(path.outboundBytes) ?? asNumber(path.bytesSent) ?? 0,
    readers: readerList.length,
    rtt: srt?.rttMs ?? null,
    recvRateMbps: srt?.mbpsReceiveRate ?? null,
    sendRateMbps: null,
    linkCapacityMbps: srt?.linkCapacityMbps ?? null,
    inboundFramesInError: asNumber(path.inboundFramesInError) ?? 0,
    source,
    readerList,
    health: OK_HEALTH,
  };
}

function joinConn(ref: RawRef, direction: Direction, conns: ConnIndex, muxer: RawConn | undefined): Connection {
  const type = asText(ref.type) ?? '';
  const id = asText(ref.id) ?? '';
  return toConnection(type, id, direction, conns.get(type)?.get(id), muxer);
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
