import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { AlertStore, FaultLog, SnapshotStore, StreamReader, keys, type AlertRecord, type Logger, type StreamSummary, type StreamsMeta } from '@mmon/shared';
import { alertList } from './routes/alerts';

/** A prepared JSON answer: the bytes and their validator. */
export interface PreparedBody {
  body: Buffer;
  etag: string;
}

/** One node's summaries: the JSON array as Redis holds it (served as is) and its rows by stream name. */
export interface NodeSummaries extends PreparedBody {
  rows: ReadonlyMap<string, StreamSummary>;
}

/** One node's summaries changed: the api's update counter after it, and the node's rows before and after. */
export interface StreamsUpdate {
  seq: number;
  node: string;
  collectedAt: string | null;
  prev: ReadonlyMap<string, StreamSummary>;
  next: ReadonlyMap<string, StreamSummary>;
}

const NO_ROWS: ReadonlyMap<string, StreamSummary> = new Map();
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * The latest values, kept in memory so that requests never touch Redis for them. Stream summaries
 * are kept per node: a collector's Pub/Sub message names its node, and only that node's summaries
 * are read and parsed again (with the meta, so nodes that left it are dropped). Everything is read
 * again once both Redis connections are (again) up, so nothing announced meanwhile is missed.
 *
 * Emits 'streams' (StreamsUpdate) for every node whose summaries changed, 'system',
 * 'snapshots' and 'alerts' after those were read. The alerts (a hash of small records) are read
 * again whole after every alerter announcement: once per change for every client and scrape.
 */
export class LatestCache extends EventEmitter {
  system: string | null = null;
  snapshots: string | null = null;
  /** The pending and firing alerts as the api shows them (alertList), JSON text; null until read. */
  alerts: string | null = null;
  /** The same alerts' records, as the alerter stored them (for /metrics). */
  alertRecords: readonly AlertRecord[] = [];
  /** The api's update counter: one more for every node whose summaries changed (the WebSocket's seq). */
  seq = 0;
  meta: StreamsMeta | null = null;
  private readonly nodes = new Map<string, NodeSummaries>();
  /** The merged body, built on the first request after an update. */
  private merged: PreparedBody | null = null;
  private readonly reader: StreamReader;
  private readonly alertStore: AlertStore;
  private readonly snapshotStore: SnapshotStore;
  private readonly faults: FaultLog;
  /** Stream reads run one at a time, so a node's older read never overwrites a newer one. */
  private readonly pending = new Set<string>();
  private pendingAll = false;
  private draining = false;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    logger: Logger,
  ) {
    super();
    this.reader = new StreamReader(redis);
    this.alertStore = new AlertStore(redis);
    this.snapshotStore = new SnapshotStore(redis);
    this.faults = new FaultLog(logger);
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => {
      const update = parseUpdate(message);
      if (update?.kind === 'streams') this.requestStreams(update.node);
      else if (update?.kind === 'alerts') void this.refreshAlerts();
      else if (update) void this.refresh(update.kind);
    });
    const bothReady = () => this.redis.status === 'ready' && this.subscriber.status === 'ready';
    const onReady = () => {
      if (bothReady()) void this.refreshAll();
    };
    this.subscriber.on('ready', onReady);
    this.redis.on('ready', onReady);
    // Not awaited: with Redis away the subscription waits for it, and is replayed after every reconnect.
    this.subscriber.subscribe(keys.updates).catch((err: unknown) => this.faults.fail('redis subscribe', err));
    if (bothReady()) await this.refreshAll();
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.requestStreams(null), this.refresh('system'), this.refresh('snapshots'), this.refreshAlerts()]);
  }

  /** The merged summaries of every node (nodes in id order, as Redis' merged key holds them). */
  get streams(): PreparedBody {
    if (!this.merged) {
      const parts: Buffer[] = [];
      for (const id of this.nodeIds()) {
        const inner = arrayInner(this.nodes.get(id)!.body);
        if (inner.length > 0) parts.push(parts.length ? COMMA : OPEN, inner);
      }
      const body = parts.length ? Buffer.concat([...parts, CLOSE]) : Buffer.from('[]');
      this.merged = { body, etag: `"${this.meta?.collectedAt ?? 'none'}-${body.length}"` };
    }
    return this.merged;
  }

  /** The ids of the nodes with summaries, sorted. */
  nodeIds(): string[] {
    return [...this.nodes.keys()].sort();
  }

  node(id: string): NodeSummaries | undefined {
    return this.nodes.get(id);
  }

  /** Every node's summaries, without copying. */
  *summaries(): Iterable<StreamSummary> {
    for (const { rows } of this.nodes.values()) yield* rows.values();
  }

  /** Reads one node's summaries (null: every node's) soon; requests made meanwhile are merged. */
  requestStreams(node: string | null): Promise<void> {
    if (node === null) this.pendingAll = true;
    else this.pending.add(node);
    return this.draining ? Promise.resolve() : this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pendingAll || this.pending.size > 0) {
        if (this.pendingAll) {
          this.pendingAll = false;
          this.pending.clear();
          await this.readAll();
        } else {
          const node = this.pending.values().next().value as string;
          this.pending.delete(node);
          await this.readNode(node);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async readAll(): Promise<void> {
    let reads: { id: string; body: Buffer | null; meta: StreamsMeta | null }[];
    try {
      const metaText = await this.redis.get(keys.streamsMeta);
      const listed = metaText ? (JSON.parse(metaText) as StreamsMeta).nodes : [];
      const ids = [...new Set([...listed, ...this.nodes.keys()])];
      reads = await Promise.all(ids.map(async (id) => ({ id, ...(await this.reader.node(id)) })));
      if (ids.length === 0) this.meta = metaText ? (JSON.parse(metaText) as StreamsMeta) : null;
      this.faults.ok('redis read');
    } catch (err) {
      this.faults.fail('redis read', err);
      return;
    }
    for (const r of reads) this.apply(r.id, r.body, r.meta);
  }

  private async readNode(node: string): Promise<void> {
    let read: { body: Buffer | null; meta: StreamsMeta | null };
    try {
      read = await this.reader.node(node);
      this.faults.ok('redis read');
    } catch (err) {
      this.faults.fail('redis read', err);
      return;
    }
    this.apply(node, read.body, read.meta);
  }

  /** Takes one node's read: its summaries, and the meta's node list (nodes that left it are dropped). */
  private apply(node: string, body: Buffer | null, meta: StreamsMeta | null): void {
    this.meta = meta;
    const listed = new Set(meta?.nodes ?? []);
    const before = this.nodes.get(node);
    if (body !== null && listed.has(node)) {
      if (!before || !before.body.equals(body)) {
        let rows: Map<string, StreamSummary>;
        try {
          rows = new Map((JSON.parse(body.toString('utf8')) as StreamSummary[]).map((s) => [s.name, s]));
          this.faults.ok(`summaries of ${node}`);
        } catch (err) {
          this.faults.fail(`summaries of ${node}`, err);
          return;
        }
        this.nodes.set(node, { body, rows, etag: `"${meta?.collectedAt ?? 'none'}-${body.length}-${node}"` });
        this.changed(node, before?.rows ?? NO_ROWS, rows);
      }
    } else if (before) {
      this.nodes.delete(node);
      this.changed(node, before.rows, NO_ROWS);
    }
    for (const [id, other] of this.nodes) {
      if (!listed.has(id)) {
        this.nodes.delete(id);
        this.changed(id, other.rows, NO_ROWS);
      }
    }
    for (const id of listed) if (!this.nodes.has(id) && id !== node) this.pending.add(id);
  }

  private changed(node: string, prev: ReadonlyMap<string, StreamSummary>, next: ReadonlyMap<string, StreamSummary>): void {
    this.merged = null;
    const update: StreamsUpdate = { seq: ++this.seq, node, collectedAt: this.meta?.collectedAt ?? null, prev, next };
    this.emit('streams', update);
  }

  private async refresh(kind: 'system' | 'snapshots'): Promise<void> {
    try {
      const value = kind === 'system' ? await this.redis.get(keys.systemLatest) : await this.snapshotStore.index();
      if (kind === 'system') this.system = value;
      else this.snapshots = value;
      this.faults.ok('redis read');
    } catch (err) {
      this.faults.fail('redis read', err);
      return;
    }
    this.emit(kind);
  }

  /** Reads the alerts (one HVALS; replies come in command order, so a later read always lands last). */
  private async refreshAlerts(): Promise<void> {
    let records: AlertRecord[];
    try {
      records = await this.alertStore.alerts();
      this.faults.ok('redis read (alerts)');
    } catch (err) {
      this.faults.fail('redis read (alerts)', err);
      return;
    }
    this.alertRecords = records;
    this.alerts = JSON.stringify(alertList(records));
    this.emit('alerts');
  }
}

/** The elements of a JSON array's text, without the brackets (empty for []): what the merged body splices. */
function arrayInner(body: Buffer): Buffer {
  let start = 0;
  let end = body.length;
  while (start < end && isSpace(body[start])) start++;
  while (end > start && isSpace(body[end - 1])) end--;
  start++; // '['
  end--; // ']'
  while (start < end && isSpace(body[start])) start++;
  while (end > start && isSpace(body[end - 1])) end--;
  return body.subarray(start, Math.max(start, end));
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function parseUpdate(message: string): { kind: 'streams'; node: string | null } | { kind: 'system' | 'snapshots' | 'alerts' } | null {
  try {
    const { kind, node } = JSON.parse(message) as { kind?: unknown; node?: unknown };
    if (kind === 'streams') return { kind, node: typeof node === 'string' ? node : null };
    return kind === 'system' || kind === 'snapshots' || kind === 'alerts' ? { kind } : null;
  } catch {
    return null;
  }
}
