import {
  FaultLog,
  IntervalLoop,
  type Heartbeat,
  MediaMtxClient,
  errorMessage,
  toDetailPart,
  toSummary,
  type CollectorStatus,
  type DetailWrite,
  type Logger,
  type Stream,
  type StreamHistoryWriter,
  type StreamStore,
} from '@mmon/shared';
import { ConnCache, DetailPlan } from './detailPlan';
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
  /** Up to this many connections, every cycle reads every connection list; above, see DetailPlan. */
  detailEveryCycleMaxConns: number;
  /** The longest a stream's connection detail may be old on a large server. */
  detailMaxAgeMs: number;
  /** A whole poll (every page of every list) is cut off after this long. */
  pollDeadlineMs: number;
  /** A counter growing faster than this starts a new baseline (see derive). */
  maxPlausibleGbps: number;
}

export interface NodeCollectorDeps {
  client: MediaMtxClient;
  store: StreamStore;
  /** Takes every cycle's streams; null keeps no history. */
  history: StreamHistoryWriter | null;
  logger: Logger;
  /** Rewritten after every cycle, for the container healthcheck. */
  heartbeat?: Heartbeat | null;
  now?: () => number;
}

/**
 * Polls one MediaMTX node on a fixed cadence: client -> normalize -> derive -> health -> store
 * and publish. Every cycle refreshes every stream's summary; connection detail is read whole every
 * cycle on small servers and at least every detailMaxAgeMs on large ones, with the streams a
 * client views refreshed every cycle (see DetailPlan). A fault (MediaMTX down, slow, 5xx,
 * malformed; Redis away) keeps the last data, marks the node stale, is logged once per change,
 * and the next cycle tries again.
 */
export class NodeCollector {
  private state: DeriveState = initialDeriveState();
  private readonly faults: FaultLog;
  private readonly now: () => number;
  private readonly loop: IntervalLoop;
  private readonly plan: DetailPlan;
  private readonly conns = new ConnCache();
  /** stop() was called: the client's connections are closed for good. */
  private closed = false;
  private warnedVersion: string | null = null;
  /** Names of the streams whose detail a client views, as the last write answered. */
  private watched: string[] = [];
  readonly status: CollectorStatus;

  constructor(
    private readonly opts: NodeCollectorOptions,
    private readonly deps: NodeCollectorDeps,
  ) {
    this.faults = new FaultLog(deps.logger);
    this.now = deps.now ?? Date.now;
    this.loop = new IntervalLoop(opts.intervalMs, () => this.cycle(), deps.heartbeat ?? null);
    this.plan = new DetailPlan(opts.intervalMs, opts.detailEveryCycleMaxConns, opts.detailMaxAgeMs);
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
      effectiveIntervalMs: opts.intervalMs,
      detailRefreshMs: opts.intervalMs,
      detailCollectedAt: null,
      streams: 0,
      online: 0,
      readers: 0,
      itemsSkipped: 0,
      itemsRepaired: 0,
    };
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.deps.client.close();
    await this.loop.stop();
  }

  /** One poll; never throws. */
  async cycle(): Promise<void> {
    const started = this.now();
    const cpu = process.cpuUsage();
    const at = new Date(started).toISOString();
    this.status.lastAttemptAt = at;
    this.status.effectiveIntervalMs = this.loop.effectiveIntervalMs;
    const source = `mediamtx node ${this.opts.node}`;
    let streams: Stream[];
    let complete: boolean;
    try {
      ({ streams, complete } = await this.collect(started));
      applyHealth(streams, this.opts.health);
      if (complete) this.status.detailCollectedAt = at;
      Object.assign(this.status, {
        stale: false,
        lastSuccessAt: at,
        lastError: null,
        apiLayout: this.deps.client.layout,
        detailRefreshMs: this.plan.refreshMs,
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
    const summariesJson = JSON.stringify(streams.map(toSummary));
    const detail = this.detailWrite(streams, complete);
    this.conns.keep(streams);
    this.finish(started, cpu);
    await this.write(async () => {
      this.watched = await this.deps.store.publishNode(this.status, summariesJson, detail, at, started);
    });
    const history = this.deps.history;
    // Most cycles' history appends touch no Redis: their success would say nothing about it.
    if (history !== null) await this.write(() => history.append(streams, started), false);
  }

  /**
   * Poll, normalize and derive. The raw snapshot (tens of MB for 10k paths) is only referenced in
   * here, so it can be collected before anything is serialized.
   */
  private async collect(nowMs: number): Promise<{ streams: Stream[]; complete: boolean }> {
    const full = this.plan.fullReadDue(nowMs);
    const raw = await this.deps.client.poll({ conns: full ? 'lists' : this.conns.refsOf(this.watched), deadlineMs: this.opts.pollDeadlineMs });
    this.noteVersion(raw.info.version ?? null);
    const audit = { skipped: 0, repaired: 0 };
    const streams = normalize(raw, {
      node: this.opts.node,
      excludePrefixes: this.opts.excludePrefixes,
      cached: (type, id) => this.conns.get(type, id),
      audit,
    });
    this.noteAudit(audit);
    const derived = derive(this.state, streams, nowMs, {
      goneRetentionMs: this.opts.goneRetentionMs,
      connsComplete: raw.connsComplete,
      maxPlausibleGbps: this.opts.maxPlausibleGbps,
    });
    this.state = derived.state;
    if (raw.connsComplete) this.plan.fullReadDone(nowMs, countConns(derived.streams));
    return { streams: derived.streams, complete: raw.connsComplete };
  }

  /** Every stream's detail after a full read; otherwise only the viewed streams' (refreshed by id). */
  private detailWrite(streams: Stream[], complete: boolean): DetailWrite {
    if (complete) return { mode: 'replace', entries: streams.map((s) => [s.name, JSON.stringify(toDetailPart(s))]) };
    if (this.watched.length === 0) return { mode: 'keep' };
    const watched = new Set(this.watched);
    return { mode: 'merge', entries: streams.filter((s) => watched.has(s.name)).map((s) => [s.name, JSON.stringify(toDetailPart(s))]) };
  }

  private finish(started: number, cpu: NodeJS.CpuUsage): void {
    const used = process.cpuUsage(cpu);
    this.status.lastCycleMs = this.now() - started;
    this.status.lastCycleCpuMs = Math.round((used.user + used.system) / 100) / 10;
  }

  /** Runs a Redis write; its failure is logged once per outage, and its success ends one when `proves` is true. */
  private async write(op: () => Promise<void>, proves = true): Promise<void> {
    try {
      await op();
      if (proves) this.faults.ok('redis write');
    } catch (err) {
      this.faults.fail('redis write', err);
    }
  }

  /**
   * Items MediaMTX answered wrongly: counted in the status every cycle, logged when wrong items
   * start or stop (not at every change of their number, which would be once per cycle).
   */
  private noteAudit(audit: { skipped: number; repaired: number }): void {
    const before = this.status.itemsSkipped + this.status.itemsRepaired > 0;
    this.status.itemsSkipped = audit.skipped;
    this.status.itemsRepaired = audit.repaired;
    const now = audit.skipped + audit.repaired > 0;
    if (before === now) return;
    const meta = { node: this.opts.node, skipped: audit.skipped, repaired: audit.repaired };
    if (now) this.deps.logger.warn('MediaMTX answered items with wrong or missing fields: skipped or repaired', meta);
    else this.deps.logger.info('MediaMTX items are well-formed again', meta);
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

function countConns(streams: Stream[]): number {
  let n = 0;
  for (const s of streams) n += s.readerList.length + (s.source === null ? 0 : 1);
  return n;
}
