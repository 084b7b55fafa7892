import type { Direction, SrtDetail, SrtWindow } from '@mmon/shared';
import { CounterWindow, removeFirst } from './counterWindow';
import { reading } from './protocols/raw';

const KEEP_MS = 60_000;
/** At most one RTT sample per this many ms is kept (polls faster than 1 s don't grow the memory). */
const RTT_BUCKET_MS = 1000;

/** Scratch buffers, reused by every window computation (all of it is synchronous). */
const counts = [0, 0, 0, 0, 0];
const counterValues = [0, 0, 0, 0, 0];
const sorted = new Array<number>(KEEP_MS / RTT_BUCKET_MS + 1).fill(0);

/**
 * The counters a window counts, in SrtWindow's order (loss, retrans, drop, belated, undecrypt),
 * written to `out`: the receive side for a publisher, the send-side counterparts for a reader
 * (which has no belated or undecryptable packets); NaN (no reading) for the unknown ones.
 */
function srtCounters(srt: SrtDetail, direction: Direction, out: number[], unknown: readonly string[] | undefined): number[] {
  if (direction === 'publish') {
    out[0] = reading(srt.packetsReceivedLoss, 'packetsReceivedLoss', unknown);
    out[1] = reading(srt.packetsReceivedRetrans, 'packetsReceivedRetrans', unknown);
    out[2] = reading(srt.packetsReceivedDrop, 'packetsReceivedDrop', unknown);
    out[3] = reading(srt.packetsReceivedBelated, 'packetsReceivedBelated', unknown);
    out[4] = reading(srt.packetsReceivedUndecrypt, 'packetsReceivedUndecrypt', unknown);
  } else {
    out[0] = reading(srt.packetsSendLoss, 'packetsSendLoss', unknown);
    out[1] = reading(srt.packetsRetrans, 'packetsRetrans', unknown);
    out[2] = reading(srt.packetsSendDrop, 'packetsSendDrop', unknown);
    out[3] = 0;
    out[4] = 0;
  }
  return out;
}

/** Nearest-rank percentile (p in 0..100) of the first n ascending values; null when n is 0. */
export function percentile(ascending: readonly number[], p: number, n = ascending.length): number | null {
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return ascending[Math.min(rank, n) - 1];
}

/**
 * Sliding 10 s and 60 s windows of one SRT connection: packet counter growth (reset-safe and
 * bounded by a plausible packets per ms, see CounterWindow) and the p50/p95 of msRTT over the
 * samples in the window. With less history than a window the window covers what exists.
 */
export class SrtWindows {
  private readonly counters: CounterWindow;
  /** Flat [t, rttMs, …], one per RTT_BUCKET_MS, pruned to 60 s. */
  private readonly rtt: number[] = [];
  /** The same RTT values in ascending order, so the full window's percentiles need no sort. */
  private readonly rttAscending: number[] = [];

  constructor(maxPacketsPerMs = Infinity) {
    this.counters = new CounterWindow(5, KEEP_MS, maxPacketsPerMs);
  }

  /** `unknown`: the counters MediaMTX did not give this poll (see unknownCounters). */
  push(t: number, srt: SrtDetail, direction: Direction, unknown?: readonly string[]): void {
    this.counters.push(t, srtCounters(srt, direction, counterValues, unknown));
    const r = this.rtt;
    let drop = 0;
    while (drop < r.length && r[drop] <= t - KEEP_MS) {
      removeSorted(this.rttAscending, r[drop + 1]);
      drop += 2;
    }
    if (drop > 0) removeFirst(r, drop);
    if (srt.rttMs === null) return;
    const n = r.length;
    if (n > 0 && Math.floor(r[n - 2] / RTT_BUCKET_MS) === Math.floor(t / RTT_BUCKET_MS)) {
      removeSorted(this.rttAscending, r[n - 1]);
      r[n - 2] = t;
      r[n - 1] = srt.rttMs;
    } else {
      r.push(t, srt.rttMs);
    }
    insertSorted(this.rttAscending, srt.rttMs);
  }

  /** The window of the last `seconds` (up to 60) at `now`, the time of the last push. */
  window(now: number, seconds: number): SrtWindow {
    const from = now - seconds * 1000;
    this.counters.sum(now, seconds * 1000, counts);
    let ascending = this.rttAscending;
    let n = ascending.length;
    if (n > 0 && this.rtt[0] <= from) {
      n = this.rttSorted(from, now);
      ascending = sorted;
    }
    return {
      seconds,
      loss: counts[0],
      retrans: counts[1],
      drop: counts[2],
      belated: counts[3],
      undecrypt: counts[4],
      rttP50Ms: percentile(ascending, 50, n),
      rttP95Ms: percentile(ascending, 95, n),
    };
  }

  /** Puts the RTT samples in (from, to] into `sorted`, ascending; returns their count. */
  private rttSorted(from: number, to: number): number {
    const r = this.rtt;
    let n = 0;
    for (let j = r.length - 2; j >= 0 && r[j] > from; j -= 2) {
      if (r[j] <= to) insertSorted(sorted, r[j + 1], n++);
    }
    return n;
  }
}

/** Inserts v into the first n (default: all) ascending values of a. */
function insertSorted(a: number[], v: number, n = a.length): void {
  let i = n;
  while (i > 0 && a[i - 1] > v) {
    a[i] = a[i - 1];
    i--;
  }
  a[i] = v;
}

function removeSorted(a: number[], v: number): void {
  let i = 0;
  while (i < a.length && a[i] !== v) i++;
  if (i === a.length) return;
  for (; i < a.length - 1; i++) a[i] = a[i + 1];
  a.length--;
}
