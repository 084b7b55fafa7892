import type Redis from 'ioredis';
import {
  FaultLog,
  IntervalLoop,
  StreamReader,
  errorMessage,
  redactUrl,
  snapshotImageUrl,
  type Heartbeat,
  type Logger,
  type SnapshotIndexEntry,
  type SnapshotStore,
} from '@mmon/shared';
import { backoffMs } from './backoff';
import type { SnapshotNode } from './config';
import { CaptureError, type FrameGrabber } from './frameGrabber';
import { runBounded } from './pool';
import { sourceUrl } from './sourceUrl';
import { onlineStreams, streamKey, type StreamRef } from './streams';

export interface SnapshotterOptions {
  intervalMs: number;
  /** At most this many captures (ffmpeg processes) at once. */
  concurrency: number;
  /** The nodes whose streams get thumbnails; each stream is read from its own node's host. */
  nodes: readonly SnapshotNode[];
  /** Source address template: {host} (the node's API host), {node} and {name} (the path name). */
  sourceTemplate: string;
  /** Longest wait between two attempts of a failing stream. */
  maxBackoffMs: number;
}

export interface SnapshotterDeps {
  redis: Redis;
  grabber: FrameGrabber;
  store: SnapshotStore;
  logger: Logger;
  /** Rewritten after every cycle, for the container healthcheck. */
  heartbeat?: Heartbeat | null;
}

/** What the snapshotter remembers of one online stream. */
interface StreamState {
  stream: StreamRef;
  takenAtMs: number | null;
  failures: number;
  error: string | null;
  retryAtMs: number;
}

/** Images outlive this many cycles (or intervals), so a stream that went away loses its thumbnail. */
const TTL_CYCLES = 3;

/**
 * Every interval: reads the online streams from the merged summaries (never the detail), captures a frame of each one that is due (failing
 * streams back off exponentially), at most `concurrency` at once, stores the images as they come,
 * then rewrites the index and announces it. A stream is node and name: two nodes' paths of the
 * same name are two streams, each read from its own node. Streams of nodes not configured here are
 * left out. Nothing a stream, ffmpeg or Redis does ends the loop.
 */
export class Snapshotter {
  /** By streamKey. */
  private readonly states = new Map<string, StreamState>();
  /** Node id -> API host. */
  private readonly hosts: Map<string, string>;
  /** Unconfigured nodes whose streams were seen (and logged once). */
  private readonly skippedNodes = new Set<string>();
  private readonly reader: StreamReader;
  private readonly faults: FaultLog;
  private readonly loop: IntervalLoop;
  private stopping = false;
  private started: Promise<void> | undefined;
  /** Ends the wait for Redis at start early (on stop). */
  private wake: (() => void) | null = null;
  private lastCycleMs = 0;

  constructor(
    private readonly opts: SnapshotterOptions,
    private readonly deps: SnapshotterDeps,
  ) {
    this.faults = new FaultLog(deps.logger);
    this.reader = new StreamReader(deps.redis);
    this.hosts = new Map(opts.nodes.map((n) => [n.id, n.host]));
    this.loop = new IntervalLoop(opts.intervalMs, () => this.cycle(), deps.heartbeat ?? null);
  }

  start(): void {
    this.started ??= this.firstConnection().then(() => {
      if (!this.stopping) this.loop.start();
    });
  }

  /** Ends the loop: running captures are stopped and awaited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.deps.grabber.stop();
    await this.started;
    await this.loop.stop();
  }

  /** One cycle; never throws. */
  private async cycle(): Promise<void> {
    const started = Date.now();
    let streams: StreamRef[];
    try {
      streams = this.configured(onlineStreams((await this.reader.latest()).body));
      this.faults.ok('streams read');
    } catch (err) {
      this.faults.fail('streams read', err);
      return;
    }
    const online = new Set(streams.map(streamKey));
    for (const [key, state] of this.states) if (!online.has(key)) this.forget(key, state.stream);
    for (const stream of streams) {
      const key = streamKey(stream);
      if (!this.states.has(key)) this.states.set(key, { stream, takenAtMs: null, failures: 0, error: null, retryAtMs: 0 });
    }
    // Half an interval of slack: a stream that failed last cycle is due again this cycle.
    const due = streams.filter((s) => this.states.get(streamKey(s))!.retryAtMs <= started + this.opts.intervalMs / 2);
    await runBounded(due, this.opts.concurrency, (stream) => this.captureOne(stream, started));
    if (this.stopping) return;
    this.lastCycleMs = Date.now() - started;
    const now = Date.now();
    try {
      await this.deps.store.publishIndex(this.index(streams, now), this.ttlMs(), new Date(now).toISOString());
      this.faults.ok('snapshots write');
    } catch (err) {
      this.faults.fail('snapshots write', err);
    }
  }

  /** The streams of configured nodes; the first sight of another node's streams is logged. */
  private configured(streams: StreamRef[]): StreamRef[] {
    return streams.filter(({ node }) => {
      if (this.hosts.has(node)) return true;
      if (!this.skippedNodes.has(node)) {
        this.skippedNodes.add(node);
        this.deps.logger.warn(`streams of node ${node} skipped: not in MEDIAMTX_NODES`, { node });
      }
      return false;
    });
  }

  /** The index of every configured node (empty for one without online streams): the given streams' entries as of `now`. */
  private index(streams: StreamRef[], now: number): Map<string, SnapshotIndexEntry[]> {
    const byNode = new Map<string, SnapshotIndexEntry[]>([...this.hosts.keys()].map((node) => [node, []]));
    for (const { node, name } of streams) {
      const s = this.states.get(streamKey({ node, name }))!;
      const fresh = s.takenAtMs !== null && now - s.takenAtMs < this.ttlMs();
      const entry: SnapshotIndexEntry = {
        node,
        name,
        takenAt: fresh ? new Date(s.takenAtMs!).toISOString() : null,
        url: fresh ? snapshotImageUrl(node, name) : null,
      };
      if (s.error !== null) {
        entry.error = s.error;
        entry.failures = s.failures;
        entry.retryAt = new Date(s.retryAtMs).toISOString();
      }
      byNode.get(node)!.push(entry);
    }
    return byNode;
  }

  /** Resolves once Redis is ready, or after one interval, so that starting up is not logged as a fault. */
  private firstConnection(): Promise<void> {
    const { redis } = this.deps;
    if (redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.opts.intervalMs);
      redis.once('ready', done);
      this.wake = done;
    });
  }

  /** Where ffmpeg reads a stream: the template filled in with its node's host, node and name. */
  private sourceOf({ node, name }: StreamRef): string {
    return sourceUrl(this.opts.sourceTemplate, { host: this.hosts.get(node)!, node, name });
  }

  private async captureOne(stream: StreamRef, cycleStarted: number): Promise<void> {
    if (this.stopping) return;
    let image: Buffer;
    try {
      image = await this.deps.grabber.capture(this.sourceOf(stream));
    } catch (err) {
      if (!this.stopping) this.failed(stream, cycleStarted, err instanceof CaptureError ? err.message : redactUrl(errorMessage(err)));
      return;
    }
    const takenAtMs = Date.now();
    try {
      await this.deps.store.saveImage(image, { node: stream.node, name: stream.name, takenAt: new Date(takenAtMs).toISOString() }, this.ttlMs());
      this.faults.ok('snapshots write');
    } catch (err) {
      this.faults.fail('snapshots write', err);
      return;
    }
    const state = this.states.get(streamKey(stream));
    if (!state) return;
    Object.assign(state, { takenAtMs, failures: 0, error: null, retryAtMs: 0 });
    this.faults.ok(captureSource(stream));
  }

  /** Records a failure; the next attempt is due a back-off after this cycle's start. */
  private failed(stream: StreamRef, cycleStarted: number, error: string): void {
    const state = this.states.get(streamKey(stream));
    if (!state) return;
    state.failures += 1;
    state.error = error;
    state.retryAtMs = cycleStarted + backoffMs(state.failures, this.opts.intervalMs, this.opts.maxBackoffMs);
    this.faults.fail(captureSource(stream), error, {
      node: stream.node,
      stream: stream.name,
      url: redactUrl(this.sourceOf(stream)),
      failures: state.failures,
    });
  }

  private forget(key: string, stream: StreamRef): void {
    this.states.delete(key);
    this.faults.ok(captureSource(stream), { reason: 'stream offline' });
  }

  private ttlMs(): number {
    return TTL_CYCLES * Math.max(this.opts.intervalMs, this.lastCycleMs);
  }
}

/** The fault log's name for one stream's captures. */
function captureSource({ node, name }: StreamRef): string {
  return `capture ${node}:${name}`;
}
