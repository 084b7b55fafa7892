import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import {
  AlertStore,
  IntervalLoop,
  StreamReader,
  keys,
  type FaultLog,
  type Heartbeat,
  type Logger,
  type StreamSummary,
} from '@mmon/shared';
import type { HostSample } from './conditions';
import { Deliverer } from './deliverer';
import { evaluate } from './machine';
import type { AlerterConfig } from './config';
import { storedRules } from './rules';

/** The configuration less the Redis connection and log level. */
export type AlerterOptions = Omit<AlerterConfig, 'redis' | 'logLevel'>;

export interface AlerterDeps {
  redis: Redis;
  /** A connection for SUBSCRIBE (connectSubscriber). */
  subscriber: Redis;
  faults: FaultLog;
  logger: Logger;
  heartbeat?: Heartbeat | null;
}

/**
 * Evaluates the rules after every summary update (a "streams" message: that node's summaries are
 * read again) or host sample, and on a timer (every node's summaries, so `for` and staleness move
 * on without updates). Evaluations run one at a time; requests during one are merged into the
 * next. The state lives in Redis (AlertStore): the transitions are compare-and-set, so replicas
 * and restarts agree on every alert, and the notifications they issue go to the outbox that the
 * Deliverer works.
 */
export class Alerter {
  private readonly store: AlertStore;
  private readonly reader: StreamReader;
  private readonly deliverer: Deliverer;
  private readonly loop: IntervalLoop;
  /** Each node's summaries as last read. */
  private readonly streams = new Map<string, StreamSummary[]>();
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private wantAll = false;
  private readonly wantNodes = new Set<string>();
  private rulesSaved = false;
  /** Whether every node's summaries have been read once. */
  private readAll = false;
  private stopped = false;

  constructor(
    private readonly opts: AlerterOptions,
    private readonly deps: AlerterDeps,
  ) {
    this.store = new AlertStore(deps.redis);
    this.reader = new StreamReader(deps.redis);
    const notifiers = new Map(opts.ruleSet.notifiers.map((n) => [n.name, n]));
    this.deliverer = new Deliverer(this.store, notifiers, opts, deps.faults, deps.logger);
    this.loop = new IntervalLoop(opts.intervalMs, () => this.cycle(), deps.heartbeat ?? null);
  }

  /** Starts the timer and subscribes; with Redis away, the subscription is made when it is back (the subscriber's queue). */
  start(): void {
    this.deps.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    this.deps.subscriber.subscribe(keys.updates).catch((err: unknown) => this.deps.faults.fail('subscribe', err));
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    this.deps.subscriber.disconnect();
    await this.chain;
    await this.deliverer.stop();
  }

  /** Evaluates (merged with any request waiting); resolves when an evaluation that began after the call has ended. */
  evaluate(req: { all?: boolean; node?: string }): Promise<void> {
    if (req.all) this.wantAll = true;
    if (req.node !== undefined) this.wantNodes.add(req.node);
    if (this.queued === null) {
      this.queued = this.chain.then(() => {
        this.queued = null;
        const all = this.wantAll;
        const nodes = [...this.wantNodes];
        this.wantAll = false;
        this.wantNodes.clear();
        return this.run(all, nodes);
      });
      this.chain = this.queued;
    }
    return this.queued;
  }

  private onMessage(message: string): void {
    if (this.stopped) return;
    let m: { kind?: unknown; node?: unknown };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.kind === 'streams' && typeof m.node === 'string') void this.evaluate({ node: m.node });
    else if (m.kind === 'system') void this.evaluate({});
  }

  private async cycle(): Promise<void> {
    // Without Redis there is nothing to evaluate; the connection logs the outage once (connectRedis).
    if (this.deps.redis.status !== 'ready') return;
    if (!this.rulesSaved) {
      try {
        await this.store.saveRules(storedRules(this.opts.ruleSet, new Date().toISOString()));
        this.rulesSaved = true;
      } catch (err) {
        this.deps.faults.fail('rules', err);
      }
    }
    await this.evaluate({ all: true });
  }

  /** One evaluation; never throws (a failure is logged once per change and the next one tries again). */
  private async run(all: boolean, nodes: string[]): Promise<void> {
    const { faults, logger } = this.deps;
    if (this.deps.redis.status !== 'ready') return;
    try {
      await this.refresh(all, nodes);
      const [stored, statuses, hostJson] = await Promise.all([this.store.records(), this.reader.statuses(), this.deps.redis.get(keys.systemLatest)]);
      const nowMs = Date.now();
      const transitions = evaluate(this.opts.ruleSet.rules, stored, { streams: this.allStreams(), statuses, host: freshHost(hostJson, nowMs) }, nowMs, {
        goneRetentionMs: this.opts.goneRetentionMs,
        dashboardUrl: this.opts.dashboardUrl,
        newId: randomUUID,
      });
      const applied = await this.store.apply(transitions, this.opts.historyMax, new Date(nowMs).toISOString());
      faults.ok('evaluation');
      for (const t of applied) {
        if (t.event) logger.info(`alert ${t.event.status}`, { rule: t.event.rule, subject: t.event.subject, severity: t.event.severity, summary: t.event.summary, notifications: t.jobs.length });
        else if (t.stateChanged) logger.debug(t.next ? `alert ${t.next.state}` : 'alert inactive', { id: t.id });
      }
    } catch (err) {
      faults.fail('evaluation', err);
    }
    this.deliverer.kick();
  }

  /**
   * Reads every node's summaries (all, and always the first time: an evaluation that saw only the
   * announced node would take the others' pending alerts for vanished) or the announced nodes'.
   */
  private async refresh(all: boolean, nodes: string[]): Promise<void> {
    if (all || !this.readAll) {
      const { body } = await this.reader.latest();
      const rows = JSON.parse(body.toString('utf8')) as StreamSummary[];
      this.streams.clear();
      for (const s of rows) {
        const list = this.streams.get(s.node);
        if (list) list.push(s);
        else this.streams.set(s.node, [s]);
      }
      this.readAll = true;
      return;
    }
    for (const node of nodes) {
      const { body } = await this.reader.node(node);
      if (body === null) this.streams.delete(node);
      else this.streams.set(node, JSON.parse(body.toString('utf8')) as StreamSummary[]);
    }
  }

  private allStreams(): StreamSummary[] {
    return [...this.streams.values()].flat();
  }
}

/** sysmon's sample when it is fresh (not older than three of its intervals); else null. */
export function freshHost(json: string | null, nowMs: number): HostSample | null {
  if (json === null) return null;
  const h = JSON.parse(json) as HostSample;
  const age = nowMs - Date.parse(h.sampledAt);
  return age <= 3 * (h.intervalMs || 5000) ? h : null;
}
