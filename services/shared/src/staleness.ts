import type { CollectorStatus } from './model';

/** A node is stale when its last poll failed or its last success is older than three intervals. */
export function isStale(status: Pick<CollectorStatus, 'stale' | 'lastSuccessAt' | 'intervalMs'>, nowMs: number): boolean {
  if (status.stale || status.lastSuccessAt === null) return true;
  return nowMs - Date.parse(status.lastSuccessAt) > 3 * status.intervalMs;
}
