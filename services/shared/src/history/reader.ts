import type Redis from 'ioredis';
import { keys } from '../keys';
import type { HealthLevel } from '../model';
import { mergeInto, outputResolution, toPoint, toRows, type Layouts, type Row } from './buckets';
import { DEFAULT_HISTORY_TIERS, formatDuration, parseHistoryTiers, type HistoryTier } from './tiers';
import { STREAM_HISTORY_METRICS } from './writer';

export type StreamHistoryMetrics = Record<(typeof STREAM_HISTORY_METRICS)[number], number | null>;

/** One bucket of a stream's history: averages, with min and max over the bucket; online is the fraction of it the stream was online. */
export interface StreamHistoryPoint extends StreamHistoryMetrics {
  /** The bucket's start, ms since the epoch. */
  t: number;
  online: number;
  /** The worst level in the bucket. */
  health: HealthLevel;
  min: StreamHistoryMetrics;
  max: StreamHistoryMetrics;
}

export interface HostHistoryMetrics {
  cpu_percent?: number | null;
  ram_used_mb?: number | null;
  net_in_mbps?: number | null;
  net_out_mbps?: number | null;
  /** The 1-minute load average. */
  load?: number | null;
  temperature_c?: number | null;
  /** Used percent per reported path. */
  disk_percent?: Record<string, number | null>;
}

export interface HostHistoryPoint extends HostHistoryMetrics {
  t: number;
  min: HostHistoryMetrics;
  max: HostHistoryMetrics;
}

export interface HistoryRange {
  fromMs: number;
  toMs: number;
  /** Default 500. */
  maxPoints?: number;
  /** The time tiers' retention counts back from (default: now). */
  nowMs?: number;
}

export interface HistoryAnswer<P> {
  /** The size of the answer's buckets: the chosen tier's resolution, times the buckets merged to fit maxPoints. */
  resolutionMs: number;
  /** Oldest first. */
  points: P[];
}

export const DEFAULT_MAX_POINTS = 500;

/** The tiers the writers announced (or the default, when nothing was ever written). */
function tiersFrom(json: string | null): HistoryTier[] {
  if (json !== null) {
    try {
      const tiers = JSON.parse(json) as HistoryTier[];
      if (Array.isArray(tiers) && tiers.length > 0 && tiers.every((t) => Number.isInteger(t?.resolutionMs) && Number.isInteger(t?.retentionMs))) return tiers;
    } catch {
      // fall through: an unreadable value reads as the default
    }
  }
  return parseHistoryTiers(DEFAULT_HISTORY_TIERS);
}

/**
 * Reads [from, to] from the finest tier whose retention still covers `from`, within 1 % (the
 * coarsest when none does). A coarser tier lacks its newest bucket until the next one starts, so the finer
 * tiers' points after its last one are added (merged into the answer's buckets). Buckets are
 * merged by a whole factor until at most maxPoints remain. One round trip for the tiers, one
 * pipeline for the points.
 */
async function readTiered(redis: Redis, kind: 'stream' | 'host', keyOf: (tier: string) => string, range: HistoryRange): Promise<HistoryAnswer<Row>> {
  const tiers = tiersFrom(await redis.get(keys.historyTiers(kind)));
  const { fromMs, toMs } = range;
  const now = range.nowMs ?? Date.now();
  // A range of exactly a tier's retention, sent a moment before `now`, still belongs to that tier.
  let chosen = tiers.findIndex((t) => now - t.retentionMs * 1.01 <= fromMs);
  if (chosen < 0) chosen = tiers.length - 1;
  const pipeline = redis.pipeline();
  for (let j = chosen; j >= 0; j--) {
    const res = tiers[j].resolutionMs;
    // The chosen tier from the bucket holding `from`; each finer one only where the next coarser may lack its newest buckets.
    const start = j === chosen ? fromMs - res + 1 : Math.max(fromMs - res + 1, toMs - 2 * tiers[j + 1].resolutionMs);
    pipeline.xrange(keyOf(formatDuration(res)), String(Math.max(0, start)), String(toMs));
  }
  const answers = (await pipeline.exec()) ?? [];
  const rows: Row[] = [];
  const layouts: Layouts = new Map();
  let end = -Infinity;
  answers.forEach(([err, entries], i) => {
    if (err) throw err;
    const res = tiers[chosen - i].resolutionMs;
    for (const row of toRows(entries as [string, string[]][], layouts)) if (row.t >= end && row.t <= toMs) rows.push(row);
    if (rows.length > 0) end = Math.max(end, rows[rows.length - 1].t + res);
  });
  const size = outputResolution(tiers[chosen].resolutionMs, fromMs, toMs, range.maxPoints ?? DEFAULT_MAX_POINTS);
  return { resolutionMs: size, points: mergeInto(rows, size) };
}

/** One stream's history over a range; no history answers no points. */
export async function readStreamHistory(redis: Redis, node: string, name: string, range: HistoryRange): Promise<HistoryAnswer<StreamHistoryPoint>> {
  const { resolutionMs, points } = await readTiered(redis, 'stream', (tier) => keys.streamHistory(tier, node, name), range);
  return { resolutionMs, points: points.map((row) => toPoint(row) as unknown as StreamHistoryPoint) };
}

/** The host's history over a range. */
export async function readHostHistory(redis: Redis, range: HistoryRange): Promise<HistoryAnswer<HostHistoryPoint>> {
  const { resolutionMs, points } = await readTiered(redis, 'host', (tier) => keys.hostHistory(tier), range);
  return { resolutionMs, points: points.map((row) => toPoint(row) as unknown as HostHistoryPoint) };
}
