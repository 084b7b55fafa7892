/**
 * Delay before the next capture of a stream after `failures` consecutive failures: one interval
 * after the first, doubling with each further failure, never more than `maxMs`.
 */
export function backoffMs(failures: number, intervalMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(intervalMs * 2 ** exponent, Math.max(maxMs, intervalMs));
}
