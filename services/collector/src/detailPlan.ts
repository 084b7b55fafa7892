import { CONN_TYPES, type Connection, type ConnType, type Stream } from '@mmon/shared';
import { hasNativeFigures } from './protocols/connection';

/**
 * When a node's connection lists are read whole. A small server (up to everyCycleMaxConns
 * connections) has them read in every cycle. On a large one they are most of a cycle's cost
 * (20 MB of JSON for 30k connections), so they are read once per refresh period, the longest
 * whole number of intervals within maxAgeMs; in between, the paths list alone keeps every
 * summary fresh, and the streams a client views have their connections read one by one.
 */
export class DetailPlan {
  private lastFullAt: number | null = null;
  private conns = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly everyCycleMaxConns: number,
    private readonly maxAgeMs: number,
  ) {}

  /** How often the connection lists are read now. */
  get refreshMs(): number {
    if (this.conns <= this.everyCycleMaxConns) return this.intervalMs;
    return Math.max(this.intervalMs, Math.floor(this.maxAgeMs / this.intervalMs) * this.intervalMs);
  }

  /** True when this cycle must read every connection list (half an interval of slack for timer jitter). */
  fullReadDue(nowMs: number): boolean {
    return this.lastFullAt === null || nowMs - this.lastFullAt >= this.refreshMs - this.intervalMs / 2;
  }

  /** A full read succeeded at nowMs and found this many connections. */
  fullReadDone(nowMs: number, conns: number): void {
    this.lastFullAt = nowMs;
    this.conns = conns;
  }
}

const FETCHABLE = new Set<string>(CONN_TYPES);

/**
 * The connections of the last cycle's streams (those with MediaMTX's figures, derived and with
 * their health), by id: between two full reads they stand in for the connections not read again.
 */
export class ConnCache {
  private byId = new Map<string, Connection>();
  private streams: Stream[] = [];

  keep(streams: Stream[]): void {
    const byId = new Map<string, Connection>();
    for (const s of streams) {
      if (s.source !== null && hasNativeFigures(s.source)) byId.set(s.source.id, s.source);
      for (const r of s.readerList) if (hasNativeFigures(r)) byId.set(r.id, r);
    }
    this.byId = byId;
    this.streams = streams;
  }

  get(type: string, id: string): Connection | undefined {
    const conn = this.byId.get(id);
    return conn !== undefined && conn.type === type ? conn : undefined;
  }

  /** The connections (of list types, which can be read by id) of the named streams as last seen. */
  refsOf(names: string[]): { type: ConnType; id: string }[] {
    if (names.length === 0) return [];
    const wanted = new Set(names);
    const refs: { type: ConnType; id: string }[] = [];
    for (const s of this.streams) {
      if (!wanted.has(s.name)) continue;
      for (const c of s.source === null ? s.readerList : [s.source, ...s.readerList]) {
        if (FETCHABLE.has(c.type) && c.id !== '') refs.push({ type: c.type as ConnType, id: c.id });
      }
    }
    return refs;
  }
}
