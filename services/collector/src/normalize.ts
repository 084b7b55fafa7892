import {
  CONN_TYPES,
  type Connection,
  type Direction,
  type RawConn,
  type RawSnapshot,
  type Stream,
  type VideoInfo,
} from '@mmon/shared';
import { OK_HEALTH } from './health';
import { toConnection } from './protocols/connection';
import { Fields, asNumber, asText, type ItemAudit } from './protocols/raw';

export type { ItemAudit } from './protocols/raw';

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
  /**
   * Incremented with this poll's items that were skipped (no identity: a path without a name, with
   * a name seen before or one no client could ask for (over MAX_TEXT characters, NUL), a list item
   * without an id) or repaired (a field of the
   * wrong type or out of range, read as absent). A reference without a type is skipped too.
   */
  audit?: ItemAudit;
}

/** Connection lists by type, then by id. */
type ConnIndex = Map<string, Map<string, RawConn>>;

/**
 * One poll of a MediaMTX node as the monitor's streams: one Stream per path, sorted by name,
 * sources and readers joined from the connection lists. Accepts both the current field names
 * and the deprecated ones of older releases (ready, readyTime, bytesReceived, tracks). Rates,
 * windows and health are left for derive and applyHealth. Never throws: every item is checked on
 * its own (see Fields), an item without its identity is skipped, and every string is valid Unicode.
 */
export function normalize(raw: RawSnapshot, opts: NormalizeOptions): Stream[] {
  const audit = opts.audit ?? { skipped: 0, repaired: 0 };
  const prefixes = opts.excludePrefixes.filter((p) => p !== '');
  const conns = indexConns(raw.conns, audit);
  const muxers = indexMuxers(raw.hlsMuxers);
  const cached = raw.connsComplete ? undefined : opts.cached;
  const join: Join = (ref, direction, muxer) => {
    // A reference without a type is none; a pulled source (rtspSource, ...) has no id.
    const type = asText(ref.type);
    const id = typeof ref.id === 'string' ? (ref.id === '' ? '' : asText(ref.id)) : '';
    if (type === null || id === null) {
      audit.skipped++;
      return null;
    }
    const item = conns.get(type)?.get(id);
    if (item === undefined && cached !== undefined) {
      const kept = cached(type, id);
      if (kept !== undefined && kept.direction === direction) return kept;
    }
    return toConnection(type, id, direction, item, muxer, audit);
  };
  const streams: Stream[] = [];
  const names = new Set<string>();
  for (const path of Array.isArray(raw.paths) ? (raw.paths as unknown[]) : []) {
    const name = isObject(path) ? asText(path.name) : null;
    if (name === null || !isAddressable(name) || names.has(name)) {
      audit.skipped++;
      continue;
    }
    names.add(name);
    if (prefixes.some((p) => name.startsWith(p))) continue;
    streams.push(toStream(path as object, name, opts.node, join, muxers.get(name), audit));
  }
  return streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A name a client can ask the api about (GET /api/streams/detail takes 1 to 1024 characters, no NUL; asText keeps to the length). */
function isAddressable(name: string): boolean {
  return !name.includes('\0');
}

/** A path's reference to a connection, joined with that connection's figures; null when it has no usable identity. */
type Join = (ref: Readonly<Record<string, unknown>>, direction: Direction, muxer: RawConn | undefined) => Connection | null;

function toStream(path: object, name: string, node: string, join: Join, muxer: RawConn | undefined, audit: ItemAudit): Stream {
  const f = new Fields(path);
  const sourceRef = f.object('source');
  const source = sourceRef === null ? null : join(sourceRef, 'publish', muxer);
  const readerList: Connection[] = [];
  for (const ref of f.list('readers') ?? []) {
    const reader = isObject(ref) ? join(ref, 'read', muxer) : null;
    if (reader !== null) readerList.push(reader);
    else if (!isObject(ref)) audit.skipped++;
  }
  const srt = source?.srt;
  const stream: Stream = {
    node,
    name,
    confName: f.text('confName'),
    online: f.flag('online') ?? f.flag('ready') ?? false,
    onlineSince: f.text('onlineTime') ?? f.text('readyTime'),
    offlineSince: null,
    sourceType: source?.type ?? null,
    tracks: tracksOf(f),
    video: videoOf(f),
    bytesReceived: f.counterOf('bytesReceived', 'inboundBytes', 'bytesReceived'),
    bytesSent: f.counterOf('bytesSent', 'outboundBytes', 'bytesSent'),
    readers: readerList.length,
    rtt: srt?.rttMs ?? null,
    recvRateMbps: srt?.mbpsReceiveRate ?? null,
    sendRateMbps: null,
    linkCapacityMbps: srt?.linkCapacityMbps ?? null,
    srt10s: null,
    inboundFramesInError: f.counterOf('inboundFramesInError', 'inboundFramesInError'),
    source,
    readerList,
    health: OK_HEALTH,
  };
  f.markUnknown(stream);
  if (f.repaired) audit.repaired++;
  return stream;
}

/** Codec names from tracks2 (current) or tracks (older releases); entries that are not a codec are left out. */
function tracksOf(f: Fields): string[] {
  const tracks2 = f.list('tracks2');
  const codecs: string[] = [];
  if (tracks2 !== null) {
    for (const track of tracks2) {
      const codec = isObject(track) ? asText(track.codec) : null;
      if (codec !== null) codecs.push(codec);
    }
    return codecs;
  }
  for (const track of f.list('tracks') ?? []) {
    const codec = asText(track);
    if (codec !== null) codecs.push(codec);
  }
  return codecs;
}

/** MediaMTX's video codec names (tracks2[].codec). */
const VIDEO_CODECS = new Set(['AV1', 'VP9', 'VP8', 'H265', 'H264', 'MPEG-4 Video', 'MPEG-1/2 Video', 'M-JPEG']);

/** The first video track of tracks2 with its size from codecProps (null where MediaMTX does not say). */
function videoOf(f: Fields): VideoInfo | null {
  for (const track of f.list('tracks2') ?? []) {
    if (!isObject(track)) continue;
    const codec = asText(track.codec);
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

/** Each list's items by id (valid Unicode, as references are looked up); an item without an id is skipped. */
function indexConns(lists: Partial<Record<string, unknown>> | undefined, audit: ItemAudit): ConnIndex {
  const index: ConnIndex = new Map();
  for (const type of CONN_TYPES) {
    const byId = new Map<string, RawConn>();
    const list = lists?.[type];
    for (const item of Array.isArray(list) ? (list as unknown[]) : []) {
      const id = isObject(item) ? asText(item.id) : null;
      if (id !== null) byId.set(id, item as RawConn);
      else audit.skipped++;
    }
    index.set(type, byId);
  }
  return index;
}

function indexMuxers(muxers: unknown): Map<string, RawConn> {
  const byPath = new Map<string, RawConn>();
  for (const muxer of Array.isArray(muxers) ? (muxers as unknown[]) : []) {
    const path = isObject(muxer) ? asText(muxer.path) : null;
    if (path !== null) byPath.set(path, muxer as RawConn);
  }
  return byPath;
}

/** An object (an array passes too: it simply has none of the fields looked for). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
