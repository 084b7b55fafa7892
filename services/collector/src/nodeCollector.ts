import { FaultLog, MediaMtxClient, errorMessage, type CollectorStatus, type Logger, type Stream, type StreamHistoryWriter, type StreamStore } from '@mmon/shared';
import { derive, initialDeriveState, type DeriveState } from './derive';
import { applyHealth, type HealthRules } from './health';
import { normalize } from './normalize';
import { isTestedVersion } from './version';

export interface NodeCollectorOptions {
  node: string;
  intervalMs: number;
  excludePrefixes: string[];
  health: HealthRules;
  goneRetentionMs: number;
  /** One history point per stream this often; 0 writes none. */
  historyIntervalMs: number;
}

export interface NodeCollectorDeps {
  client: MediaMtxClient;
  store: StreamStore;
  history: StreamHistoryWriter;
  logger: Logger;
  now?: () => number;
}

/**
 * Polls one MediaMTX node on a fixed cadence: client -> normalize -> derive -> health -> store
 * and publish. A fault (MediaMTX down, slow, 5xx, malformed; Redis away) keeps the last snapshot,
 * marks the node stale, is logged once per change, and the next cycle tries again.
 */
export class NodeCollector {
  private state: DeriveState = initialDeriveState();
  private readonly faults: FaultLog;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** stop() was called: the client's connections are closed for good. */
  private closed = false;
  private warnedVersion: string | null = null;
  private lastHistoryAt = -Infinity;
  readonly status: CollectorStatus;

  constructor(
    private readonly opts: NodeCollectorOptions,
    private readonly deps: NodeCollectorDeps,
  ) {
    this.faults = new FaultLog(deps.logger);
    this.now = deps.now ?? Date.now;
    this.status = {
      node: opts.node,
      stale: true,
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      lastCycleMs: null,
      lastCycleCpuMs: null,
      mediamtxVersion: null,
      versionTested: null,
      apiLayout: null,
      intervalMs: opts.intervalMs,
      streams: 0,
      online: 0,
      readers: 0,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closed = true;
    this.deps.client.close();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.cycle().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(Math.max(0, this.opts.intervalMs - (this.now() - started)));
      });
    }, delayMs);
  }

  /** One poll; never throws. */
  async cycle(): Promise<void> {
    const started = this.now();
    const cpu = process.cpuUsage();
    const at = new Date(started).toISOString();
    this.status.lastAttemptAt = at;
    const source = `mediamtx node ${this.opts.node}`;
    let streamsJson: string;
    let streams: Stream[];
    try {
      streams = applyHealth(await this.collect(started), this.opts.health);
      streamsJson = JSON.stringify(streams);
      Object.assign(this.status, {
        stale: false,
        lastSuccessAt: at,
        lastError: null,
        apiLayout: this.deps.client.layout,
        streams: streams.length,
        online: streams.filter((s) => s.online).length,
        readers: streams.reduce((n, s) => n + s.readers, 0),
      });
      this.faults.ok(source);
    } catch (err) {
      if (this.closed) return; // the poll was cut short by stop(): not a fault of MediaMTX
      this.status.stale = true;
      this.status.lastError = errorMessage(err);
      this.faults.fail(source, err);
      this.finish(started, cpu);
      await this.write(() => this.deps.store.keepNode(this.status));
      return;
    }
    this.finish(started, cpu);
    await this.write(() => this.deps.store.publishNode(this.status, streamsJson, at));
    if (this.opts.historyIntervalMs > 0 && started - this.lastHistoryAt >= this.opts.historyIntervalMs) {
      this.lastHistoryAt = started;
      await this.write(() => this.deps.history.append(streams));
    }
  }

  /**
   * Poll, normalize and derive. The raw snapshot (tens of MB for 10k paths) is only referenced in
   * here, so it can be collected before the streams are serialized.
   */
  private async collect(nowMs: number): Promise<Stream[]> {
    const raw = await this.deps.client.poll();
    this.noteVersion(raw.info.version ?? null);
    const streams = normalize(raw, { node: this.opts.node, excludePrefixes: this.opts.excludePrefixes });
    const derived = derive(this.state, streams, nowMs, { goneRetentionMs: this.opts.goneRetentionMs });
    this.state = derived.state;
    return derived.streams;
  }

  private finish(started: number, cpu: NodeJS.CpuUsage): void {
    const used = process.cpuUsage(cpu);
    this.status.lastCycleMs = this.now() - started;
    this.status.lastCycleCpuMs = Math.round((used.user + used.system) / 100) / 10;
  }

  private async write(op: () => Promise<void>): Promise<void> {
    try {
      await op();
      this.faults.ok('redis write');
    } catch (err) {
      this.faults.fail('redis write', err);
    }
  }

  private noteVersion(version: string | null): void {
    this.status.mediamtxVersion = version;
    this.status.versionTested = isTestedVersion(version);
    if (this.status.versionTested === false && this.warnedVersion !== version) {
      this.warnedVersion = version;
      this.deps.logger.warn('untested MediaMTX version, trying anyway', { node: this.opts.node, version });
    }
  }
}
