import { removeFirst } from './counterWindow';

/**
 * Mbit/s of a byte count over a time span in ms, to 3 decimals (1 kbit/s): finer digits are noise
 * of the poll timing, and 17-digit floats make the published JSON much bigger and slower to write.
 */
export function mbps(bytes: number, ms: number): number {
  return Math.round((bytes * 8) / ms) / 1000;
}

/**
 * Samples of two cumulative byte counters (in and out) that share a clock, for smoothed,
 * reset-safe rates.
 *
 * Smoothing: the rate is the counter's growth from the oldest sample that is at most
 * `smoothingMs` old to the newest, divided by the time between them (a moving average over a
 * few seconds, so one late or early poll barely moves it). When polls are further apart than
 * `smoothingMs`, the previous sample is the base.
 *
 * Reset-safety: the first sample only sets a baseline (rate null). A counter that goes down
 * (MediaMTX restarted, the path was re-created) or a clock that does not advance drops the
 * history and starts a new baseline, so a rate is never negative and never a spike.
 *
 * Samples are kept in one flat array [t, in, out, t, in, out, …] and pruned to the smoothing
 * span on every push, so a series holds about smoothingMs / interval + 1 samples.
 */
export class RateSeries {
  private readonly s: number[] = [];

  push(t: number, bytesIn: number, bytesOut: number, smoothingMs: number): void {
    const s = this.s;
    const n = s.length;
    if (n > 0 && !(t > s[n - 3] && bytesIn >= s[n - 2] && bytesOut >= s[n - 1])) s.length = 0;
    s.push(t, bytesIn, bytesOut);
    let drop = 0;
    while (s.length - drop > 6 && s[drop] < t - smoothingMs) drop += 3;
    if (drop > 0) removeFirst(s, drop);
  }

  /** Mbit/s in (0) or out (1) over the kept samples; null with fewer than two. */
  rate(counter: 0 | 1): number | null {
    const s = this.s;
    const last = s.length - 3;
    if (last < 3) return null;
    return mbps(s[last + 1 + counter] - s[1 + counter], s[last] - s[0]);
  }

  clear(): void {
    this.s.length = 0;
  }
}
