import { Router } from 'express';
import { StreamReader, isStale, keys, type CollectorStatus } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { fromRedis } from '../errors';

interface SystemStamp {
  sampledAt?: string;
  intervalMs?: number;
}

/** The node view shared by /api/health and /api/nodes. */
export function nodeView(status: CollectorStatus, nowMs: number) {
  return {
    id: status.node,
    stale: isStale(status, nowMs),
    lastSuccessAt: status.lastSuccessAt,
    lastError: status.lastError,
    lastCycleMs: status.lastCycleMs,
    lastCycleCpuMs: status.lastCycleCpuMs,
    mediamtxVersion: status.mediamtxVersion,
    versionTested: status.versionTested,
    apiLayout: status.apiLayout,
    intervalMs: status.intervalMs,
    effectiveIntervalMs: status.effectiveIntervalMs ?? status.intervalMs,
    detailRefreshMs: status.detailRefreshMs ?? status.intervalMs,
    detailCollectedAt: status.detailCollectedAt ?? null,
    streams: status.streams,
    online: status.online,
    readers: status.readers,
    itemsSkipped: status.itemsSkipped ?? 0,
    itemsRepaired: status.itemsRepaired ?? 0,
  };
}

/** GET /api/health: collector (over every node), sysmon and Redis; 503 when Redis is unreachable. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = Router();
  const reader = new StreamReader(deps.redis);
  router.get('/api/health', async (_req, res) => {
    const now = Date.now();
    let statuses: CollectorStatus[];
    let system: SystemStamp | null;
    try {
      const [s, sys] = await Promise.all([reader.statuses(), deps.redis.get(keys.systemLatest)]);
      statuses = s;
      system = sys ? (JSON.parse(sys) as SystemStamp) : null;
    } catch (err) {
      res.status(503).json({
        status: 'degraded',
        redis: { reachable: false, error: err instanceof Error ? err.message : String(err) },
        collector: { stale: true, lastSuccessAt: null, lastError: 'redis unreachable', lastCycleMs: null, mediamtxVersion: null, nodes: [] },
      });
      return;
    }
    const nodes = statuses.map((s) => nodeView(s, now));
    const collector = {
      stale: nodes.length === 0 || nodes.some((n) => n.stale),
      lastSuccessAt: oldest(nodes.map((n) => n.lastSuccessAt)),
      lastError: nodes.find((n) => n.lastError !== null)?.lastError ?? (nodes.length === 0 ? 'no collector has written yet' : null),
      lastCycleMs: nodes.length ? Math.max(...nodes.map((n) => n.lastCycleMs ?? 0)) : null,
      mediamtxVersion: [...new Set(nodes.map((n) => n.mediamtxVersion).filter((v) => v !== null))].join(', ') || null,
      versionTested: nodes.length ? nodes.every((n) => n.versionTested !== false) : null,
      untestedVersions: nodes.filter((n) => n.versionTested === false).map((n) => ({ node: n.id, version: n.mediamtxVersion })),
      nodes,
    };
    const sysmon = {
      stale: !system?.sampledAt || now - Date.parse(system.sampledAt) > 3 * (system.intervalMs ?? 5000),
      sampledAt: system?.sampledAt ?? null,
    };
    res.json({ status: collector.stale || sysmon.stale ? 'degraded' : 'ok', redis: { reachable: true }, collector, sysmon });
  });
  router.get('/api/nodes', async (_req, res) => {
    const now = Date.now();
    const statuses = await fromRedis(reader.statuses());
    res.json(statuses.map((s) => nodeView(s, now)));
  });
  return router;
}

function oldest(times: (string | null)[]): string | null {
  if (times.some((t) => t === null) || times.length === 0) return null;
  return (times as string[]).sort()[0];
}
