import type { CollectorStatus } from '../../src/model';

/** A fresh, healthy collector status, as a collector writes it after a successful poll. */
export function collectorStatus(node: string, overrides: Partial<CollectorStatus> = {}): CollectorStatus {
  const now = new Date().toISOString();
  return {
    node,
    stale: false,
    lastSuccessAt: now,
    lastAttemptAt: now,
    lastError: null,
    lastCycleMs: 12,
    lastCycleCpuMs: 3,
    mediamtxVersion: 'v1.20.1',
    versionTested: true,
    apiLayout: 'v1.20',
    intervalMs: 1000,
    effectiveIntervalMs: 1000,
    detailRefreshMs: 1000,
    detailCollectedAt: now,
    streams: 1,
    online: 1,
    readers: 0,
    itemsSkipped: 0,
    itemsRepaired: 0,
    ...overrides,
  };
}
