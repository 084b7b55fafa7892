/**
 * The emulated server's state: paths, their publisher and readers, every connection by id, and the
 * HLS muxers. Objects are prepared once when added; requests only read them (see render.ts).
 */
import type { ConnType } from '@mmon/shared';
import { applyCounters, countingSince, type CounterMap } from './counters';
import { PUBLISHING_TYPES } from './fields';
import { connBase } from './render';
import {
  isConnSource,
  type Counters,
  type HlsMuxerSpec,
  type ScenarioConn,
  type ScenarioPath,
  type ScenarioTrack,
  type Source,
  type StaticSource,
} from './scenario';

export type ConnState = 'publish' | 'read' | 'idle';

export interface ConnEntry {
  type: ConnType;
  id: string;
  path: string;
  state: ConnState;
  created: string;
  /** The fields that do not change, in output order (counters are added per request). */
  base: Readonly<Record<string, unknown>>;
  counters: CounterMap;
  order: number;
}

export interface MuxerEntry {
  path: PathEntry;
  created: string;
  counters: CounterMap;
  /** Created because the scenario asked for it, not only because of HLS readers. */
  explicit: boolean;
}

export interface PathEntry {
  name: string;
  confName: string;
  tracks: readonly ScenarioTrack[];
  codecs: readonly string[];
  source: { conn: ConnEntry } | { static: StaticSource['type']; since: string } | null;
  readers: ConnEntry[];
  counters: CounterMap;
  muxer: MuxerEntry | null;
}

export class World {
  private readonly paths = new Map<string, PathEntry>();
  private readonly conns = new Map<string, ConnEntry>();
  private sortedPaths: PathEntry[] | null = null;
  private connsByType: Map<ConnType, ConnEntry[]> | null = null;
  private sortedMuxers: MuxerEntry[] | null = null;
  private nextOrder = 0;

  constructor(private readonly clock: () => number) {}

  addPath(spec: ScenarioPath): void {
    if (this.paths.has(spec.name)) throw new Error(`path "${spec.name}" already exists`);
    const tracks = spec.tracks ?? [];
    const path: PathEntry = {
      name: spec.name,
      confName: spec.confName ?? spec.name,
      tracks,
      codecs: tracks.map((t) => t.codec),
      source: null,
      readers: [],
      counters: new Map(),
      muxer: null,
    };
    this.paths.set(spec.name, path);
    this.sortedPaths = null;
    if (spec.source) this.setSource(spec.name, spec.source);
    const since = !spec.source ? undefined : isConnSource(spec.source) ? spec.source.created : spec.source.since;
    applyCounters(path.counters, spec.counters, countingSince(since, this.clock()));
    for (const reader of spec.readers ?? []) this.addReader(spec.name, reader);
    if (spec.hlsMuxer) this.setMuxer(path, spec.hlsMuxer, true);
  }

  removePath(name: string): void {
    const path = this.requirePath(name);
    if (path.source && 'conn' in path.source) this.dropConn(path.source.conn);
    for (const reader of path.readers) this.dropConn(reader);
    if (path.muxer) this.sortedMuxers = null;
    this.paths.delete(name);
    this.sortedPaths = null;
  }

  /** Sets or replaces the publisher; null takes the path offline. */
  setSource(name: string, source: Source | null): void {
    const path = this.requirePath(name);
    if (source && isConnSource(source) && !PUBLISHING_TYPES.has(source.type)) {
      throw new Error(`a ${source.type} cannot publish`);
    }
    const old = path.source && 'conn' in path.source ? path.source.conn : null;
    if (source && isConnSource(source) && source.id.toLowerCase() !== old?.id) this.assertNewId(source.id);
    if (old) this.dropConn(old);
    if (!source) path.source = null;
    else if (isConnSource(source)) path.source = { conn: this.addConn(source, name, 'publish') };
    else path.source = { static: source.type, since: source.since ?? new Date(this.clock()).toISOString() };
  }

  addReader(name: string, conn: ScenarioConn): void {
    const path = this.requirePath(name);
    this.assertNewId(conn.id);
    path.readers.push(this.addConn(conn, name, 'read'));
    if (conn.type === 'hlsSession' && !path.muxer) this.setMuxer(path, {}, false);
  }

  removeReader(name: string, id: string): void {
    const path = this.requirePath(name);
    const index = path.readers.findIndex((r) => r.id === id);
    if (index < 0) throw new Error(`path "${name}" has no reader ${id}`);
    const [reader] = path.readers.splice(index, 1);
    this.dropConn(reader);
    if (path.muxer && !path.muxer.explicit && !path.readers.some((r) => r.type === 'hlsSession')) {
      path.muxer = null;
      this.sortedMuxers = null;
    }
  }

  /** A connection that has not chosen a path yet. */
  addIdleConn(conn: ScenarioConn): void {
    this.assertNewId(conn.id);
    this.addConn(conn, '', 'idle');
  }

  /** Changes counters of a connection (by id) or a path (by name) from now on. */
  setCounters(key: string, counters: Counters): void {
    const target = this.conns.get(key)?.counters ?? this.paths.get(key)?.counters;
    if (!target) throw new Error(`no connection or path "${key}"`);
    applyCounters(target, counters, this.clock());
  }

  pathList(): readonly PathEntry[] {
    this.sortedPaths ??= [...this.paths.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sortedPaths;
  }

  path(name: string): PathEntry | undefined {
    return this.paths.get(name);
  }

  connList(type: ConnType): readonly ConnEntry[] {
    if (!this.connsByType) {
      const byType = new Map<ConnType, ConnEntry[]>();
      for (const conn of this.conns.values()) {
        const list = byType.get(conn.type);
        if (list) list.push(conn);
        else byType.set(conn.type, [conn]);
      }
      for (const list of byType.values()) list.sort((a, b) => a.order - b.order);
      this.connsByType = byType;
    }
    return this.connsByType.get(type) ?? [];
  }

  conn(type: ConnType, id: string): ConnEntry | undefined {
    const conn = this.conns.get(id.toLowerCase());
    return conn?.type === type ? conn : undefined;
  }

  muxerList(): readonly MuxerEntry[] {
    this.sortedMuxers ??= this.pathList().flatMap((p) => (p.muxer ? [p.muxer] : []));
    return this.sortedMuxers;
  }

  private setMuxer(path: PathEntry, spec: HlsMuxerSpec, explicit: boolean): void {
    const counters: CounterMap = new Map();
    applyCounters(counters, spec.counters, countingSince(spec.created, this.clock()));
    path.muxer = { path, created: spec.created ?? new Date(this.clock()).toISOString(), counters, explicit };
    this.sortedMuxers = null;
  }

  private addConn(spec: ScenarioConn, path: string, state: ConnState): ConnEntry {
    const now = this.clock();
    const id = spec.id.toLowerCase();
    const created = spec.created ?? new Date(now).toISOString();
    const entry: ConnEntry = {
      type: spec.type,
      id,
      path,
      state,
      created,
      base: connBase(spec, id, created, path, state),
      counters: new Map(),
      order: this.nextOrder++,
    };
    applyCounters(entry.counters, spec.counters, countingSince(spec.created, now));
    this.conns.set(id, entry);
    this.connsByType = null;
    return entry;
  }

  private dropConn(conn: ConnEntry): void {
    this.conns.delete(conn.id);
    this.connsByType = null;
  }

  private assertNewId(id: string): void {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new Error(`connection id "${id}" is not a UUID`);
    }
    if (this.conns.has(id.toLowerCase())) throw new Error(`connection ${id} already exists`);
  }

  private requirePath(name: string): PathEntry {
    const path = this.paths.get(name);
    if (!path) throw new Error(`no path "${name}"`);
    return path;
  }
}
