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
 * Reset-safety: the first sample only sets a baseline (rate null). A sample that does not follow
 * the last one (a counter went down because MediaMTX restarted or the path was re-created, a
 * counter grew by more than `maxBytesPerMs` allows, which no link carries, or the clock did not
 * advance) is held back and the rate is null: if a later sample follows the last good one, the
 * held-back one was a glitch and the series goes on; if it follows the held-back one and grew
 * from it, that one was a new baseline. So a rate is never negative, never a spike, and never
 * above the plausible bound, and a counter that was wrong for a few polls costs those polls' rate.
 *
 * Samples are kept in one flat array [t, in, out, t, in, out, …] and pruned to the smoothing
 * span on every push, so a series holds about smoothingMs / interval + 1 samples.
 */
export class RateSeries {
  private readonly s: number[] = [];
  /** The held-back sample [t, in, out]; t is NaN when there is none. */
  private readonly held = [NaN, 0, 0];

  constructor(private readonly maxBytesPerMs = Infinity) {}

  push(t: number, bytesIn: number, bytesOut: number, smoothingMs: number): void {
    const s = this.s;
    const n = s.length;
    const held = this.held;
    if (n > 0 && !this.follows(s[n - 3], s[n - 2], s[n - 1], t, bytesIn, bytesOut)) {
      // Only growth confirms a new baseline: a field missing twice (0, 0) is no restart.
      if (!this.follows(held[0], held[1], held[2], t, bytesIn, bytesOut) || (bytesIn === held[1] && bytesOut === held[2])) {
        held[0] = t;
        held[1] = bytesIn;
        held[2] = bytesOut;
        return;
      }
      s.length = 0;
      s.push(held[0], held[1], held[2]);
    }
    held[0] = NaN;
    s.push(t, bytesIn, bytesOut);
    let drop = 0;
    while (s.length - drop > 6 && s[drop] < t - smoothingMs) drop += 3;
    if (drop > 0) removeFirst(s, drop);
  }

  /** Mbit/s in (0) or out (1) over the kept samples; null with fewer than two, or while a sample is held back. */
  rate(counter: 0 | 1): number | null {
    const s = this.s;
    const last = s.length - 3;
    if (last < 3 || !Number.isNaN(this.held[0])) return null;
    return mbps(s[last + 1 + counter] - s[1 + counter], s[last] - s[0]);
  }

  clear(): void {
    this.s.length = 0;
    this.held[0] = NaN;
  }

  /** True when (t, in, out) can follow (t0, in0, out0): later, and each counter grew by 0 up to the plausible bound. */
  private follows(t0: number, in0: number, out0: number, t: number, bytesIn: number, bytesOut: number): boolean {
    const most = this.maxBytesPerMs * (t - t0);
    return t > t0 && bytesIn >= in0 && bytesOut >= out0 && bytesIn - in0 <= most && bytesOut - out0 <= most;
  }
}
