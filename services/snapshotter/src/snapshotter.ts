import type Redis from 'ioredis';
import { FaultLog, errorMessage, keys, redactUrl, snapshotImageUrl, type Logger, type SnapshotIndexEntry } from '@mmon/shared';
import { backoffMs } from './backoff';
import { CaptureError, type FrameGrabber } from './frameGrabber';
import { runBounded } from './pool';
import { sourceUrl } from './sourceUrl';
import type { SnapshotStore } from './store';
import { onlineNames } from './streams';

export interface SnapshotterOptions {
  intervalMs: number;
  /** At most this many captures (ffmpeg processes) at once. */
  concurrency: number;
  /** Source address template, {name} standing for the path name. */
  sourceTemplate: string;
  /** Longest wait between two attempts of a failing stream. */
  maxBackoffMs: number;
}

export interface SnapshotterDeps {
  redis: Redis;
  grabber: FrameGrabber;
  store: SnapshotStore;
  logger: Logger;
}

/** What the snapshotter remembers of one online stream. */
interface StreamState {
  takenAtMs: number | null;
  failures: number;
  error: string | null;
  retryAtMs: number;
}

/** Images outlive this many cycles (or intervals), so a stream that went away loses its thumbnail. */
const TTL_CYCLES = 3;

/**
 * Every interval: reads the online streams, captures a frame of each one that is due (failing
 * streams back off exponentially), at most `concurrency` at once, stores the images as they come,
 * then rewrites the index and announces it. Nothing a stream, ffmpeg or Redis does ends the loop.
 */
export class Snapshotter {
  private readonly states = new Map<string, StreamState>();
  private readonly faults: FaultLog;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastCycleMs = 0;

  constructor(
    private readonly opts: SnapshotterOptions,
    private readonly deps: SnapshotterDeps,
  ) {
    this.faults = new FaultLog(deps.logger);
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  /** Ends the loop: running captures are stopped and awaited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.deps.grabber.stop();
    await this.loopDone;
  }

  /** One cycle; never throws. */
  private async cycle(): Promise<void> {
    const started = Date.now();
    let names: string[];
    try {
      names = onlineNames(await this.deps.redis.get(keys.streamsLatest));
      this.faults.ok('streams read');
    } catch (err) {
      this.faults.fail('streams read', err);
      return;
    }
    for (const name of this.states.keys()) if (!names.includes(name)) this.forget(name);
    for (const name of names) if (!this.states.has(name)) this.states.set(name, { takenAtMs: null, failures: 0, error: null, retryAtMs: 0 });
    // Half an interval of slack: a stream that failed last cycle is due again this cycle.
    const due = names.filter((n) => this.states.get(n)!.retryAtMs <= started + this.opts.intervalMs / 2);
    await runBounded(due, this.opts.concurrency, (name) => this.captureOne(name, started));
    if (this.stopping) return;
    this.lastCycleMs = Date.now() - started;
    const now = Date.now();
    try {
      await this.deps.store.publishIndex(this.index(names, now), this.ttlMs(), new Date(now).toISOString());
      this.faults.ok('snapshots write');
    } catch (err) {
      this.faults.fail('snapshots write', err);
    }
  }

  /** The index entries of the given streams, as of `now`. */
  private index(names: string[], now: number): SnapshotIndexEntry[] {
    return names.map((name) => {
      const s = this.states.get(name)!;
      const fresh = s.takenAtMs !== null && now - s.takenAtMs < this.ttlMs();
      const entry: SnapshotIndexEntry = {
        name,
        takenAt: fresh ? new Date(s.takenAtMs!).toISOString() : null,
        url: fresh ? snapshotImageUrl(name) : null,
      };
      if (s.error !== null) {
        entry.error = s.error;
        entry.failures = s.failures;
        entry.retryAt = new Date(s.retryAtMs).toISOString();
      }
      return entry;
    });
  }

  private async loop(): Promise<void> {
    await this.firstConnection();
    while (!this.stopping) {
      const started = Date.now();
      await this.cycle();
      await this.sleep(Math.max(0, this.opts.intervalMs - (Date.now() - started)));
    }
  }

  /** Gives Redis up to one interval to connect, so that starting up is not logged as a fault. */
  private async firstConnection(): Promise<void> {
    const { redis } = this.deps;
    if (redis.status === 'ready') return;
    const ready = () => this.wake?.();
    redis.once('ready', ready);
    await this.sleep(this.opts.intervalMs);
    redis.off('ready', ready);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async captureOne(name: string, cycleStarted: number): Promise<void> {
    if (this.stopping) return;
    const url = sourceUrl(this.opts.sourceTemplate, name);
    let image: Buffer;
    try {
      image = await this.deps.grabber.capture(url);
    } catch (err) {
      if (!this.stopping) this.failed(name, cycleStarted, err instanceof CaptureError ? err.message : redactUrl(errorMessage(err)));
      return;
    }
    const takenAtMs = Date.now();
    try {
      await this.deps.store.saveImage(image, { name, takenAt: new Date(takenAtMs).toISOString() }, this.ttlMs());
      this.faults.ok('snapshots write');
    } catch (err) {
      this.faults.fail('snapshots write', err);
      return;
    }
    const state = this.states.get(name);
    if (!state) return;
    Object.assign(state, { takenAtMs, failures: 0, error: null, retryAtMs: 0 });
    this.faults.ok(`capture ${name}`);
  }

  /** Records a failure; the next attempt is due a back-off after this cycle's start. */
  private failed(name: string, cycleStarted: number, error: string): void {
    const state = this.states.get(name);
    if (!state) return;
    state.failures += 1;
    state.error = error;
    state.retryAtMs = cycleStarted + backoffMs(state.failures, this.opts.intervalMs, this.opts.maxBackoffMs);
    this.faults.fail(`capture ${name}`, error, { stream: name, url: redactUrl(sourceUrl(this.opts.sourceTemplate, name)), failures: state.failures });
  }

  private forget(name: string): void {
    this.states.delete(name);
    this.faults.ok(`capture ${name}`, { reason: 'stream offline' });
  }

  private ttlMs(): number {
    return TTL_CYCLES * Math.max(this.opts.intervalMs, this.lastCycleMs);
  }
}
