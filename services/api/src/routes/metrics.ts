import { Router } from 'express';
import { Gauge, Registry } from 'prom-client';
import { StreamReader, type HealthLevel } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { isStale } from '../staleness';
import type { LatestCache } from '../latest';

/** Mbit/s to bytes/s, Prometheus' base unit. */
const MBPS = 125000;
const HEALTH_VALUE: Record<HealthLevel, number> = { ok: 0, warn: 1, crit: 2 };

interface SystemSample {
  cpu_percent?: number;
  ram_used_mb?: number;
  ram_total_mb?: number;
  net_in_mbps?: number | null;
  net_out_mbps?: number | null;
  load_avg?: number[];
}

/**
 * GET /metrics: Prometheus text exposition of the cached stream summaries and host sample. The
 * gauges are filled at scrape time from the rows the cache parsed when each node was updated.
 */
export function metricsRoutes(deps: ApiDeps, cache: LatestCache): Router {
  const reader = new StreamReader(deps.redis);
  const registry = new Registry();
  const streamLabels = ['node', 'name'] as const;
  const g = (name: string, help: string, labelNames: readonly string[] = streamLabels) =>
    new Gauge({ name: `mediamtx_monitor_${name}`, help, labelNames, registers: [registry] });
  const online = g('stream_online', '1 when the stream has a publisher.');
  const readers = g('stream_readers', 'Number of readers of the stream.');
  const bytesIn = g('stream_inbound_bytes', 'Bytes received by the path (cumulative, as MediaMTX reports it).');
  const bytesOut = g('stream_outbound_bytes', 'Bytes sent by the path to readers (cumulative).');
  const recvRate = g('stream_receive_bytes_per_second', 'Inbound rate (SRT native rate where present).');
  const sendRate = g('stream_send_bytes_per_second', 'Outbound rate.');
  const rtt = g('stream_srt_rtt_seconds', 'Smoothed round-trip time of the SRT publisher.');
  const capacity = g('stream_srt_link_capacity_bytes_per_second', 'Estimated link capacity of the SRT publisher.');
  const health = g('stream_health', 'Health level of the stream: 0 ok, 1 warn, 2 crit.');
  const stale = g('collector_stale', '1 when the collector of the node is stale.', ['node']);
  const system = g('host', 'Host metrics from sysmon.', ['metric']);

  const fill = async () => {
    registry.resetMetrics();
    for (const s of cache.summaries()) {
      const labels = { node: s.node, name: s.name };
      online.set(labels, s.online ? 1 : 0);
      readers.set(labels, s.readers);
      bytesIn.set(labels, s.bytesReceived);
      bytesOut.set(labels, s.bytesSent);
      health.set(labels, HEALTH_VALUE[s.health?.level ?? 'ok']);
      if (s.recvRateMbps !== null) recvRate.set(labels, s.recvRateMbps * MBPS);
      if (s.sendRateMbps !== null) sendRate.set(labels, s.sendRateMbps * MBPS);
      if (s.rtt !== null) rtt.set(labels, s.rtt / 1000);
      if (s.linkCapacityMbps !== null) capacity.set(labels, s.linkCapacityMbps * MBPS);
    }
    const now = Date.now();
    for (const status of await reader.statuses().catch(() => [])) stale.set({ node: status.node }, isStale(status, now) ? 1 : 0);
    if (cache.system) {
      const sample = JSON.parse(cache.system) as SystemSample;
      const put = (metric: string, value: number | null | undefined) => {
        if (typeof value === 'number') system.set({ metric }, value);
      };
      put('cpu_percent', sample.cpu_percent);
      put('ram_used_mb', sample.ram_used_mb);
      put('ram_total_mb', sample.ram_total_mb);
      put('net_in_mbps', sample.net_in_mbps);
      put('net_out_mbps', sample.net_out_mbps);
      sample.load_avg?.forEach((v, i) => put(`load_avg_${[1, 5, 15][i]}m`, v));
    }
  };

  const router = Router();
  router.get('/metrics', async (_req, res) => {
    await fill();
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
