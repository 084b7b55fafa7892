import { removeFirst } from './counterWindow';

/**
 * Mbit/s of a byte count over a time span in ms, to 3 decimals (1 kbit/s): finer digits are noise
 * of the poll timing, and 17-digit floats make the published JSON much bigger and slower to write.
 */
export function mbps(bytes: number, ms: number): number {
  return Math.round((bytes * 8) / ms) / 1000;
}

/**
 * Samples of one cumulative byte counter, for a smoothed, reset-safe rate.
 *
 * Smoothing: the rate is the counter's growth from the oldest sample that is at most
 * `smoothingMs` old to the newest, divided by the time between them (a moving average over a
 * few seconds, so one late or early poll barely moves it). When polls are further apart than
 * `smoothingMs`, the previous sample is the base.
 *
 * Reset-safety: the first sample only sets a baseline (rate null). A sample that does not follow
 * the last one (the counter went down because MediaMTX restarted or the path was re-created, it
 * grew by more than `maxBytesPerMs` allows, which no link carries, or the clock did not advance)
 * is held back and the rate is null: if a later sample follows the last good one, the held-back
 * one was a glitch and the series goes on; if the next one grew from the held-back one, that one
 * was a new baseline (a field missing twice, 0 and 0, is not). NaN is no reading (MediaMTX did
 * not give the counter): nothing is recorded. So a rate is never negative, never a spike, and
 * never above the plausible bound, and a counter that was wrong for a few polls costs at most
 * those polls' rate.
 *
 * Samples are kept in one flat array [t, value, t, value, …] and pruned to the smoothing span on
 * every push, so a series holds about smoothingMs / interval + 1 samples.
 */
export class RateSeries {
  private readonly s: number[] = [];
  /** The held-back sample; heldT is NaN when there is none. */
  private heldT = NaN;
  private heldV = 0;

  constructor(private readonly maxBytesPerMs = Infinity) {}

  push(t: number, value: number, smoothingMs: number): void {
    if (value !== value) return; // NaN: no reading
    const s = this.s;
    const n = s.length;
    // Inline "follows the last sample" (the usual case) before the general check.
    if (n > 0 && !(t > s[n - 2] && value >= s[n - 1] && value - s[n - 1] <= this.maxBytesPerMs * (t - s[n - 2]))) {
      if (!this.follows(this.heldT, this.heldV, t, value) || value === this.heldV) {
        this.heldT = t;
        this.heldV = value;
        return;
      }
      s.length = 0;
      s.push(this.heldT, this.heldV);
    }
    this.heldT = NaN;
    s.push(t, value);
    let drop = 0;
    while (s.length - drop > 4 && s[drop] < t - smoothingMs) drop += 2;
    if (drop > 0) removeFirst(s, drop);
  }

  /** Mbit/s over the kept samples; null with fewer than two, or while a sample is held back. */
  rate(): number | null {
    const s = this.s;
    const last = s.length - 2;
    if (last < 2 || !Number.isNaN(this.heldT)) return null;
    return mbps(s[last + 1] - s[1], s[last] - s[0]);
  }

  clear(): void {
    this.s.length = 0;
    this.heldT = NaN;
  }

  /** True when (t, v) can follow (t0, v0): later, and grown by 0 up to the plausible bound. */
  private follows(t0: number, v0: number, t: number, v: number): boolean {
    return t > t0 && v >= v0 && v - v0 <= this.maxBytesPerMs * (t - t0);
  }
}
