/**
 * Turns world entries into the JSON objects MediaMTX sends. Pure: the time is an argument.
 * `legacy` renders an older v1.x: only the deprecated names (ready, bytesReceived, tracks as
 * strings, rtpPacketsReceived, ...), none of their successors.
 */
import type { ConnType } from '@mmon/shared';
import { counterValue, type CounterMap } from './counters';
import { bytesFields, FLOAT_FIELDS, KIND_FIELDS, type Kind } from './fields';
import type { ScenarioConn } from './scenario';
import type { ConnEntry, ConnState, MuxerEntry, PathEntry } from './world';

type Json = Record<string, unknown>;

/** The plain fields of each connection type, in MediaMTX's order, with their defaults. */
const PLAIN_FIELDS: Readonly<Record<ConnType, readonly (keyof ScenarioConn | 'state' | 'path')[]>> = {
  srtConn: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'user'],
  rtmpConn: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'user', 'userAgent'],
  rtmpsConn: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'user', 'userAgent'],
  rtspSession: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'user', 'userAgent', 'transport', 'profile', 'conns'],
  rtspsSession: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'user', 'userAgent', 'transport', 'profile', 'conns'],
  webRTCSession: [
    'id',
    'created',
    'remoteAddr',
    'peerConnectionEstablished',
    'localCandidate',
    'remoteCandidate',
    'state',
    'path',
    'query',
    'user',
    'userAgent',
  ],
  hlsSession: ['id', 'created', 'remoteAddr', 'path', 'query', 'user', 'userAgent', 'isCDN'],
  moqSession: ['id', 'created', 'remoteAddr', 'state', 'path', 'query', 'userAgent', 'transport', 'version'],
};

function plainDefault(type: ConnType, field: string): unknown {
  switch (field) {
    case 'transport':
      return type === 'moqSession' ? 'webtransport' : null;
    case 'profile':
      return null;
    case 'conns':
      return [];
    case 'peerConnectionEstablished':
      return true;
    case 'isCDN':
      return false;
    case 'version':
      return 'moqt-16';
    case 'remoteAddr':
      return '127.0.0.1:0';
    default:
      return '';
  }
}

/** The fields of a connection that never change, computed once when it is added. */
export function connBase(spec: ScenarioConn, id: string, created: string, path: string, state: ConnState): Json {
  const base: Json = {};
  for (const field of PLAIN_FIELDS[spec.type]) {
    if (field === 'id') base.id = id;
    else if (field === 'created') base.created = created;
    else if (field === 'path') base.path = path;
    else if (field === 'state') base.state = state;
    else base[field] = spec[field] ?? plainDefault(spec.type, field);
  }
  return base;
}

function value(counters: CounterMap, field: string, now: number): number {
  const state = counters.get(field);
  return state ? counterValue(state, now, FLOAT_FIELDS.has(field)) : 0;
}

/** Adds the counters of `kind` to `out`; `override` supplies values that are derived, not stored. */
function addCounters(
  out: Json,
  kind: Kind,
  counters: CounterMap,
  now: number,
  legacy: boolean,
  override?: (field: string) => number | undefined,
): Json {
  const { counters: fields, aliases } = KIND_FIELDS[kind];
  for (const field of fields) {
    const v = (counters.has(field) ? undefined : override?.(field)) ?? value(counters, field, now);
    const alias = aliases[field];
    if (!legacy || !alias) out[field] = v;
    if (alias) out[alias] = v;
  }
  return out;
}

export function renderConn(conn: ConnEntry, now: number, legacy: boolean): Json {
  return addCounters({ ...conn.base }, conn.type, conn.counters, now, legacy);
}

/** A connection's received or sent bytes right now. */
export function connBytes(conn: ConnEntry, direction: 'inbound' | 'outbound', now: number): number {
  const field = bytesFields(conn.type)[direction];
  return field ? value(conn.counters, field, now) : 0;
}

function sourceRef(path: PathEntry): { type: string; id: string } | null {
  if (!path.source) return null;
  if ('conn' in path.source) return { type: path.source.conn.type, id: path.source.conn.id };
  return { type: path.source.static, id: '' };
}

function onlineSince(path: PathEntry): string | null {
  if (!path.source) return null;
  return 'conn' in path.source ? path.source.conn.created : path.source.since;
}

function pathCounter(path: PathEntry, field: string, now: number): number | undefined {
  if (field === 'inboundBytes') {
    return path.source && 'conn' in path.source ? connBytes(path.source.conn, 'inbound', now) : undefined;
  }
  if (field === 'outboundBytes') return path.readers.reduce((sum, r) => sum + connBytes(r, 'outbound', now), 0);
  return undefined;
}

export function renderPath(path: PathEntry, now: number, legacy: boolean): Json {
  const online = path.source !== null;
  const since = onlineSince(path);
  const readers = path.readers.map((r) => ({ type: r.type, id: r.id }));
  const tracks = online ? path.codecs : [];
  if (legacy) {
    const bytes = (field: string) =>
      path.counters.has(field) ? value(path.counters, field, now) : (pathCounter(path, field, now) ?? 0);
    return {
      name: path.name,
      confName: path.confName,
      source: sourceRef(path),
      ready: online,
      readyTime: since,
      tracks,
      readers,
      bytesReceived: bytes('inboundBytes'),
      bytesSent: bytes('outboundBytes'),
    };
  }
  const out: Json = {
    name: path.name,
    confName: path.confName,
    ready: online,
    readyTime: since,
    available: online,
    availableTime: since,
    online,
    onlineTime: since,
    source: sourceRef(path),
    tracks,
    tracks2: online ? path.tracks.map((t) => ({ codec: t.codec, codecProps: t.codecProps ?? null })) : [],
    readers,
  };
  return addCounters(out, 'path', path.counters, now, false, (field) => pathCounter(path, field, now));
}

export function renderMuxer(muxer: MuxerEntry, now: number, legacy: boolean): Json {
  const hlsReaders = muxer.path.readers.filter((r) => r.type === 'hlsSession');
  const out: Json = {
    path: muxer.path.name,
    created: muxer.created,
    lastRequest: new Date(hlsReaders.length > 0 ? now : Date.parse(muxer.created)).toISOString(),
  };
  return addCounters(out, 'hlsMuxer', muxer.counters, now, legacy, (field) =>
    field === 'outboundBytes' ? hlsReaders.reduce((sum, r) => sum + connBytes(r, 'outbound', now), 0) : undefined,
  );
}
