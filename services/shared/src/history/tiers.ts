import { ConfigError, str, type Env } from '../config';

/** One tier of history: a point per resolutionMs, kept retentionMs. */
export interface HistoryTier {
  resolutionMs: number;
  retentionMs: number;
}

export const DEFAULT_HISTORY_TIERS = '10s:1h,1m:24h,10m:30d';

/** The most points one tier may keep per stream: memory is streams × tiers × this at most. */
const MAX_POINTS_PER_TIER = 100_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function duration(text: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * UNITS[m[2]] : null;
}

/** A duration as its shortest exact form (10000 -> "10s", 600000 -> "10m"); the tier's name in its keys. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) if (ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  return `${ms}ms`;
}

/**
 * Parses `resolution:retention` pairs, finest first (e.g. "10s:1h,1m:24h,10m:30d"). Each coarser
 * tier is rolled up from the one before it, so its resolution must be a multiple of the finer one
 * (buckets nest), and the finer tier must keep at least two of the coarser buckets (a bucket is
 * rolled up when the next one starts, from the finer points still there). Throws a plain Error
 * whose message says what is wrong; historyTiers() names the variable.
 */
export function parseHistoryTiers(text: string): HistoryTier[] {
  const tiers = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((pair) => {
      const [res, ret, extra] = pair.split(':').map((s) => s.trim());
      const resolutionMs = duration(res ?? '');
      const retentionMs = duration(ret ?? '');
      if (extra !== undefined || resolutionMs === null || retentionMs === null) {
        throw new Error(`each tier must be resolution:retention with units ms, s, m, h or d (e.g. 10s:1h), got "${pair}"`);
      }
      if (resolutionMs < 1000) throw new Error(`a resolution must be at least 1s, got "${pair}"`);
      if (retentionMs < 2 * resolutionMs) throw new Error(`a retention must hold at least two points, got "${pair}"`);
      if (retentionMs / resolutionMs > MAX_POINTS_PER_TIER) throw new Error(`a tier may keep at most ${MAX_POINTS_PER_TIER} points, got "${pair}"`);
      return { resolutionMs, retentionMs };
    });
  if (tiers.length === 0) throw new Error('must list at least one tier');
  if (tiers.length > 6) throw new Error(`at most 6 tiers, got ${tiers.length}`);
  for (let i = 1; i < tiers.length; i++) {
    const [fine, coarse] = [tiers[i - 1], tiers[i]];
    const names = `${formatDuration(fine.resolutionMs)} and ${formatDuration(coarse.resolutionMs)}`;
    if (coarse.resolutionMs <= fine.resolutionMs || coarse.resolutionMs % fine.resolutionMs !== 0) {
      throw new Error(`tiers go finest first, each resolution a multiple of the one before (${names})`);
    }
    if (coarse.retentionMs <= fine.retentionMs) throw new Error(`a coarser tier must be kept longer than a finer one (${names})`);
    if (fine.retentionMs < 2 * coarse.resolutionMs) {
      throw new Error(`the ${formatDuration(fine.resolutionMs)} tier must be kept at least two ${formatDuration(coarse.resolutionMs)} buckets to roll them up`);
    }
  }
  return tiers;
}

/**
 * HISTORY_TIERS of a history writer (collector, sysmon): the tiers, or null for "off" (no history
 * kept); a bad value is a ConfigError naming the variable.
 */
export function historyTiersOrOff(env: Env): HistoryTier[] | null {
  return str(env, 'HISTORY_TIERS', DEFAULT_HISTORY_TIERS) === 'off' ? null : historyTiers(env);
}

/** HISTORY_TIERS (default 10s:1h,1m:24h,10m:30d); a bad value is a ConfigError naming the variable. */
export function historyTiers(env: Env): HistoryTier[] {
  const value = str(env, 'HISTORY_TIERS', DEFAULT_HISTORY_TIERS);
  try {
    return parseHistoryTiers(value);
  } catch (err) {
    throw new ConfigError('HISTORY_TIERS', (err as Error).message);
  }
}
