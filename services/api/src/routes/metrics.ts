import { Router } from 'express';
import type Redis from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  isStale,
  AlertStore,
  FaultLog,
  StreamReader,
  type AlertRecord,
  type CollectorStatus,
  type HealthLevel,
  type Logger,
  type NotifierStatus,
  type StoredRules,
  type StreamSummary,
} from '@mmon/shared';
import type { ApiDeps } from '../deps';
import type { LatestCache } from '../latest';

const PREFIX = 'mediamtx_monitor_';
/** Mbit/s to bytes/s, Prometheus' base unit. */
const MBPS = 125_000;
/** sysmon's MB are MiB. */
const MIB = 1024 * 1024;
const HEALTH_VALUE: Record<HealthLevel, number> = { ok: 0, warn: 1, crit: 2 };
/** Collector cycles last from a few ms (a small server) to seconds (10,000 paths, a slow MediaMTX). */
const CYCLE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** prom-client's default metrics that are gauges despite their _total. */
const NOT_COUNTERS_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
/** How often the collectors' statuses are read: half the shortest collect interval, within these bounds. */
const STATUS_POLL_MIN_MS = 100;
const STATUS_POLL_MAX_MS = 5000;

/** What /metrics reads of sysmon's sample (services/sysmon/src/types.ts); every field may be missing. */
interface SystemSample {
  cpu_percent?: number;
  ram_used_mb?: number;
  ram_total_mb?: number;
  swap_used_mb?: number;
  swap_total_mb?: number;
  net_in_mbps?: number | null;
  net_out_mbps?: number | null;
  load_avg?: number[];
  temperature_c?: number | null;
  disks?: { mount: string; size_mb: number; used_mb: number }[];
  sampledAt?: string;
}

type Value<T> = (x: T) => number | null | undefined;

const mbps = (v: number | null) => (v === null ? null : v * MBPS);
const mib = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * MIB));

/**
 * The per-stream metrics, labelled node and name only. Bytes are counters: the path's own
 * cumulative counters as MediaMTX reports them, passed through unchanged, so every api replica
 * exports the same value. They start again at 0 when MediaMTX restarts or re-creates the path (a
 * publisher reconnecting to an on-demand path; a vanished stream listed offline shows 0), which
 * rate() and increase() take as a counter reset. The SRT packet counts are gauges: the summary
 * carries the publisher's counts over the last 10 s (the collector's reset-safe window), from
 * which no cumulative count can be rebuilt; max_over_time() or a division by 10 (per second)
 * reads them.
 */
const STREAM_FAMILIES: { name: string; type: 'gauge' | 'counter'; help: string; value: Value<StreamSummary> }[] = [
  { name: 'stream_online', type: 'gauge', help: '1 when the stream has a publisher, else 0.', value: (s) => (s.online ? 1 : 0) },
  { name: 'stream_readers', type: 'gauge', help: 'Readers of the stream.', value: (s) => s.readers },
  {
    name: 'stream_received_bytes_total',
    type: 'counter',
    help: "Bytes the path received, MediaMTX's cumulative counter (0 again when the path is re-created).",
    value: (s) => s.bytesReceived,
  },
  {
    name: 'stream_sent_bytes_total',
    type: 'counter',
    help: "Bytes the path sent to its readers, MediaMTX's cumulative counter (0 again when the path is re-created).",
    value: (s) => s.bytesSent,
  },
  {
    name: 'stream_receive_bytes_per_second',
    type: 'gauge',
    help: "Inbound rate: the SRT publisher's receive rate, else from the growth of the inbound bytes.",
    value: (s) => mbps(s.recvRateMbps),
  },
  { name: 'stream_send_bytes_per_second', type: 'gauge', help: 'Outbound rate, from the growth of the outbound bytes.', value: (s) => mbps(s.sendRateMbps) },
  { name: 'stream_srt_rtt_seconds', type: 'gauge', help: "Smoothed round-trip time of the stream's SRT publisher.", value: (s) => (s.rtt === null ? null : s.rtt / 1000) },
  {
    name: 'stream_srt_link_capacity_bytes_per_second',
    type: 'gauge',
    help: "Estimated link capacity of the stream's SRT publisher.",
    value: (s) => mbps(s.linkCapacityMbps),
  },
  { name: 'stream_srt_lost_packets_last_10s', type: 'gauge', help: "Packets lost on the way to the SRT publisher's connection in the last 10 s.", value: (s) => s.srt10s?.loss },
  {
    name: 'stream_srt_retransmitted_packets_last_10s',
    type: 'gauge',
    help: "Retransmitted packets the SRT publisher's connection received in the last 10 s.",
    value: (s) => s.srt10s?.retrans,
  },
  {
    name: 'stream_srt_dropped_packets_last_10s',
    type: 'gauge',
    help: "Packets the SRT publisher's connection dropped (too late to play) in the last 10 s.",
    value: (s) => s.srt10s?.drop,
  },
  { name: 'stream_srt_belated_packets_last_10s', type: 'gauge', help: "Packets that reached the SRT publisher's connection too late in the last 10 s.", value: (s) => s.srt10s?.belated },
  {
    name: 'stream_srt_undecrypted_packets_last_10s',
    type: 'gauge',
    help: "Packets the SRT publisher's connection could not decrypt in the last 10 s.",
    value: (s) => s.srt10s?.undecrypt,
  },
  { name: 'stream_health', type: 'gauge', help: 'Health level of the stream: 0 ok, 1 warn, 2 crit.', value: (s) => HEALTH_VALUE[s.health?.level ?? 'ok'] },
];

/**
 * The per-stream families as exposition text. Written here rather than through prom-client, whose
 * label validation and hashing per series made a scrape of 10,000 streams (140,000 series) four
 * times slower (1.7 s against 0.42 s, side by side); each stream's label text is built once for
 * all its families. A missing or non-finite value leaves the series out.
 */
export function streamExposition(rows: Iterable<StreamSummary>): string {
  const list: StreamSummary[] = [];
  const labels: string[] = [];
  for (const s of rows) {
    list.push(s);
    labels.push(`{node="${escapeLabel(s.node)}",name="${escapeLabel(s.name)}"} `);
  }
  let out = '';
  for (const f of STREAM_FAMILIES) {
    const name = PREFIX + f.name;
    out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
    for (let i = 0; i < list.length; i++) {
      const v = f.value(list[i]);
      if (v != null && Number.isFinite(v)) out += `${name}${labels[i]}${v}\n`;
    }
  }
  return out;
}

/** A label value in the exposition format: backslash, double quote and line feed escaped. */
function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

const ALERTS = `${PREFIX}alerts`;
const NOTIFICATIONS = `${PREFIX}alert_notifications_total`;

/**
 * The alert families as exposition text: mediamtx_monitor_alerts{rule,severity,state}, the
 * pending and firing alerts counted per rule (every loaded rule has both series, 0 without
 * alerts, so a query sees the rule before it ever fires; an alert of a rule no longer loaded is
 * still counted), and mediamtx_monitor_alert_notifications_total{notifier,result}, the
 * notifications sent and failed (each failed attempt) per notifier, counted in Redis over every
 * alerter replica. Written by hand like the stream families: the counter's value comes from
 * Redis, which prom-client's Counter (only ever incremented here) cannot take.
 */
export function alertExposition(rules: StoredRules | null, records: readonly AlertRecord[], notifiers: readonly NotifierStatus[]): string {
  const counts = new Map<string, number>();
  const series = (rule: string, severity: string, state: string) =>
    `{rule="${escapeLabel(rule)}",severity="${escapeLabel(severity)}",state="${escapeLabel(state)}"} `;
  for (const r of rules?.rules ?? []) for (const state of ['pending', 'firing']) counts.set(series(r.name, r.severity, state), 0);
  for (const a of records) {
    const labels = series(a.rule, a.severity, a.state);
    counts.set(labels, (counts.get(labels) ?? 0) + 1);
  }
  let out = `# HELP ${ALERTS} Pending and firing alerts per rule (one alert per rule and subject).\n# TYPE ${ALERTS} gauge\n`;
  for (const [labels, n] of counts) out += `${ALERTS}${labels}${n}\n`;
  out += `# HELP ${NOTIFICATIONS} Alert notifications per notifier: delivered (sent) and failed attempts (failed), over every alerter.\n# TYPE ${NOTIFICATIONS} counter\n`;
  for (const n of notifiers) {
    const notifier = escapeLabel(n.name);
    out += `${NOTIFICATIONS}{notifier="${notifier}",result="sent"} ${n.sent}\n${NOTIFICATIONS}{notifier="${notifier}",result="failed"} ${n.failed}\n`;
  }
  return out;
}

const HOST_GAUGES: [name: string, help: string, value: Value<SystemSample>][] = [
  ['host_cpu_usage_ratio', 'Share of the CPU time in use over the last sample, 0 to 1.', (h) => (h.cpu_percent === undefined ? undefined : h.cpu_percent / 100)],
  ['host_memory_used_bytes', 'Memory in use (total less available).', (h) => mib(h.ram_used_mb)],
  ['host_memory_total_bytes', 'Memory of the host.', (h) => mib(h.ram_total_mb)],
  ['host_swap_used_bytes', 'Swap in use.', (h) => mib(h.swap_used_mb)],
  ['host_swap_total_bytes', 'Swap of the host.', (h) => mib(h.swap_total_mb)],
  ['host_network_receive_bytes_per_second', "Received over the host's network interfaces.", (h) => (h.net_in_mbps == null ? null : h.net_in_mbps * MBPS)],
  ['host_network_transmit_bytes_per_second', "Sent over the host's network interfaces.", (h) => (h.net_out_mbps == null ? null : h.net_out_mbps * MBPS)],
  ['host_load1', 'Load average over 1 minute.', (h) => h.load_avg?.[0]],
  ['host_load5', 'Load average over 5 minutes.', (h) => h.load_avg?.[1]],
  ['host_load15', 'Load average over 15 minutes.', (h) => h.load_avg?.[2]],
  ['host_temperature_celsius', 'Main CPU temperature, where the host reports one.', (h) => h.temperature_c],
  ['host_sample_timestamp_seconds', 'When sysmon took the sample (Unix time).', (h) => (h.sampledAt ? Date.parse(h.sampledAt) / 1000 : null)],
];

/**
 * Turns the collectors' statuses into cycles, each counted once by its lastAttemptAt (a status
 * read again, or an older one read late, counts nothing), and notices the nodes that left.
 */
export class CycleCounter {
  /** Each node's last counted cycle (lastAttemptAt, ms). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly onCycle: (status: CollectorStatus, failed: boolean) => void,
    private readonly onGone: (node: string) => void,
  ) {}

  observe(statuses: readonly CollectorStatus[]): void {
    const present = new Set<string>();
    for (const s of statuses) {
      present.add(s.node);
      const at = s.lastAttemptAt === null ? NaN : Date.parse(s.lastAttemptAt);
      if (!(at > (this.seen.get(s.node) ?? -Infinity))) continue;
      this.seen.set(s.node, at);
      // A successful cycle sets lastSuccessAt to its lastAttemptAt; a failed one leaves it behind.
      this.onCycle(s, s.lastSuccessAt !== s.lastAttemptAt);
    }
    for (const node of this.seen.keys()) {
      if (!present.has(node)) {
        this.seen.delete(node);
        this.onGone(node);
      }
    }
  }
}

/**
 * Reads the collectors' statuses on its own. A collector rewrites its node's status after every
 * cycle and nothing announces a failed cycle (only a successful one publishes), so the statuses
 * are read at half the shortest collect interval, which sees every cycle's status while it lasts.
 * A cycle whose status was overwritten unread (Redis away, the api restarting) is not counted.
 * Stops when the Redis connection ends.
 */
class StatusPoller {
  /** The last statuses read, sorted by node. */
  latest: CollectorStatus[] = [];
  private readonly reader: StreamReader;
  private readonly faults: FaultLog;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    logger: Logger,
    private readonly counter: CycleCounter,
  ) {
    this.reader = new StreamReader(redis);
    this.faults = new FaultLog(logger);
    redis.once('end', () => this.stop());
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const shortest = Math.min(...this.latest.map((s) => s.intervalMs));
    const delay = Math.min(STATUS_POLL_MAX_MS, Math.max(STATUS_POLL_MIN_MS, Number.isFinite(shortest) ? shortest / 2 : 500));
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), delay);
    this.timer.unref();
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.redis.status !== 'ready') return; // no offline queue: the read would only fail
    try {
      this.latest = await this.reader.statuses();
      this.faults.ok('redis read (collector statuses)');
    } catch (err) {
      this.faults.fail('redis read (collector statuses)', err);
      return;
    }
    this.counter.observe(this.latest);
  }
}

/**
 * GET /metrics: Prometheus text exposition. The stream metrics are written at scrape time from the
 * rows the cache parsed when each node was updated (nothing is read or parsed per scrape but the
 * host sample, one small object); the node metrics come from the collectors' statuses, which
 * StatusPoller reads on its own; the alert metrics from the cached alerts and two small reads
 * (alertExposition); the Node.js process metrics are prom-client's defaults.
 */
export function metricsRoutes(deps: ApiDeps, cache: LatestCache): Router {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named _total, which promtool's lint rejects; nodejs_active_handles, _requests and
  // _resources (by type) hold the same counts.
  for (const name of NOT_COUNTERS_NAMED_TOTAL) registry.removeSingleMetric(name);
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const hostGauges = HOST_GAUGES.map(([name, help, value]) => ({ metric: gauge(name, help, []), value }));
  const fsSize = gauge('host_filesystem_size_bytes', 'Size of a file system sysmon watches (SYSMON_DISK_PATHS).', ['mount']);
  const fsUsed = gauge('host_filesystem_used_bytes', 'Space in use on a file system sysmon watches.', ['mount']);
  const nodeUp = gauge('node_up', "1 when the node's collector reached MediaMTX in its last cycle and that cycle is recent (within three intervals), else 0.", ['node']);
  const info = gauge('mediamtx_info', 'The MediaMTX version of the node (always 1).', ['node', 'version']);
  const lastCycle = gauge('collector_last_cycle_seconds', "Duration of the node's last collector cycle.", ['node']);
  const cycles = new Histogram({
    name: `${PREFIX}collector_cycle_duration_seconds`,
    help: 'Duration of the collector cycles the api saw (each status it read counted once).',
    labelNames: ['node'],
    buckets: CYCLE_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: `${PREFIX}collector_failures_total`,
    help: 'Collector cycles that failed to read MediaMTX, as the api saw them.',
    labelNames: ['node'],
    registers: [registry],
  });

  const counted = new CycleCounter(
    (status, failed) => {
      if (status.lastCycleMs !== null) cycles.observe({ node: status.node }, status.lastCycleMs / 1000);
      failures.inc({ node: status.node }, failed ? 1 : 0); // 0: the series exists before the first failure
    },
    (node) => {
      cycles.remove({ node });
      failures.remove({ node });
    },
  );
  const statuses = new StatusPoller(deps.redis, deps.logger, counted);
  const alertStore = new AlertStore(deps.redis);
  const faults = new FaultLog(deps.logger);
  /**
   * The alert families: the rules and the notifiers' figures read per scrape (two small reads;
   * deliveries announce nothing), the alerts from the cache. With Redis away they are left out.
   */
  const alertText = async (): Promise<string> => {
    try {
      const rules = await alertStore.rules();
      const notifiers = await alertStore.notifierStatuses(rules?.notifiers ?? []);
      faults.ok('redis read (alert metrics)');
      return alertExposition(rules, cache.alertRecords, notifiers);
    } catch (err) {
      faults.fail('redis read (alert metrics)', err);
      return '';
    }
  };
  const perScrape = [...hostGauges.map((m) => m.metric), fsSize, fsUsed, nodeUp, info, lastCycle];

  const fill = () => {
    for (const m of perScrape) m.reset();
    const now = Date.now();
    for (const status of statuses.latest) {
      const labels = { node: status.node };
      nodeUp.set(labels, isStale(status, now) ? 0 : 1);
      if (status.mediamtxVersion !== null) info.set({ node: status.node, version: status.mediamtxVersion }, 1);
      if (status.lastCycleMs !== null) lastCycle.set(labels, status.lastCycleMs / 1000);
    }
    const sample = parseSample(cache.system);
    for (const { metric, value } of hostGauges) {
      const v = sample && value(sample);
      // An unlabelled gauge shows 0 after reset(): a quantity sysmon lacks is removed instead.
      if (v != null && Number.isFinite(v)) metric.set(v);
      else metric.remove({});
    }
    if (sample) {
      for (const d of sample.disks ?? []) {
        fsSize.set({ mount: d.mount }, Math.round(d.size_mb * MIB));
        fsUsed.set({ mount: d.mount }, Math.round(d.used_mb * MIB));
      }
    }
  };

  /** Scrapes that arrive while one is being rendered get its text (one fill at a time). */
  let rendering: Promise<string> | null = null;
  const render = () =>
    (rendering ??= (async () => {
      fill();
      const alerts = await alertText();
      return (await registry.metrics()) + streamExposition(cache.summaries()) + alerts;
    })().finally(() => {
      rendering = null;
    }));

  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await render();
    res.type(registry.contentType).send(text);
  });
  return router;
}

/** sysmon's sample, or null when there is none or it is not a JSON object (then no host metrics). */
function parseSample(text: string | null): SystemSample | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as SystemSample) : null;
  } catch {
    return null;
  }
}
