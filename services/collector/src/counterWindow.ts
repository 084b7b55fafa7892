/**
 * Growth of a few cumulative counters over sliding windows (e.g. packets dropped in the last
 * 10 s), reset-safe: each sample's growth over the previous sample is recorded. A value that
 * does not follow its counter's last one (it went down, or grew by more than `maxPerMs` allows)
 * counts 0 and is held back: if a later value follows the last good one, the held-back one was a
 * glitch and the growth is counted from the good one; if the next one grew from the held-back
 * one, that one was a new baseline (MediaMTX restarted; a field missing twice, 0 and 0, is not).
 * A NaN value is no reading (MediaMTX did not give the counter): nothing changes. The growth seen
 * before stays in the window. The first sample, and one whose clock did not advance, is only a
 * baseline.
 *
 * Compact: only the last values and the steps where some counter grew are kept (flat
 * [t, d0, d1, …]), pruned to `keepMs`, so a connection without trouble costs a few numbers.
 */
/** Scratch for one push's growth per counter (pushes are synchronous; widths are small). */
const delta: number[] = new Array<number>(16).fill(0);

export class CounterWindow {
  /**
   * Per counter i: [3i] its last good value (NaN before a baseline), [3i+1] when that was taken,
   * [3i+2] its held-back value (taken at lastT) or NaN. One flat array: a connection's state is
   * a few small objects, whatever the width.
   */
  private readonly state: number[];
  private lastT = NaN;
  private readonly steps: number[] = [];
  private readonly stride: number;

  constructor(
    private readonly width: number,
    private readonly keepMs: number,
    /** The most a counter can plausibly grow per ms. */
    private readonly maxPerMs = Infinity,
  ) {
    this.stride = width + 1;
    this.state = [];
    for (let i = 0; i < width; i++) this.state.push(0, NaN, NaN);
  }

  push(t: number, values: readonly number[]): void {
    const st = this.state;
    const w = this.width;
    if (t > this.lastT) {
      let grew = false;
      for (let i = 0; i < w; i++) {
        const v = values[i];
        const j = 3 * i;
        const last = st[j];
        let d = 0;
        if (v === last) {
          // Unchanged (the usual case for loss and error counters): nothing to check.
          st[j + 1] = t;
          st[j + 2] = NaN;
        } else if (v !== v) {
          // NaN: no reading, nothing changes.
        } else if (last !== last) {
          // No baseline yet: this reading is the baseline.
          st[j] = v;
          st[j + 1] = t;
        } else {
          // Growth from the last good value, or (only growth confirms it) from the held-back one.
          const from = this.follows(last, st[j + 1], v, t) ? last : this.follows(st[j + 2], this.lastT, v, t) && v > st[j + 2] ? st[j + 2] : NaN;
          if (from === from) {
            d = v - from;
            st[j] = v;
            st[j + 1] = t;
            st[j + 2] = NaN;
          } else {
            st[j + 2] = v;
          }
        }
        delta[i] = d;
        if (d > 0) grew = true;
      }
      if (grew) {
        this.steps.push(t);
        for (let i = 0; i < w; i++) this.steps.push(delta[i]);
      }
      this.lastT = t;
    } else {
      // First sample (lastT NaN) or a clock that did not advance: only a new baseline.
      for (let i = 0; i < w; i++) {
        st[3 * i] = values[i];
        st[3 * i + 1] = t;
        st[3 * i + 2] = NaN;
      }
      if (Number.isNaN(this.lastT)) this.lastT = t;
    }
    const s = this.steps;
    let drop = 0;
    while (drop < s.length && s[drop] <= t - this.keepMs) drop += this.stride;
    if (drop > 0) removeFirst(s, drop);
  }

  /** True when v, taken at t, can follow v0 taken at t0: later, and grown by 0 up to the plausible bound. */
  private follows(v0: number, t0: number, v: number, t: number): boolean {
    return t > t0 && v >= v0 && v - v0 <= this.maxPerMs * (t - t0);
  }

  /** Growth of each counter in the window (now - windowMs, now], written to `out` (returned). */
  sum(now: number, windowMs: number, out: number[] = new Array<number>(this.width)): number[] {
    for (let i = 0; i < this.width; i++) out[i] = 0;
    const s = this.steps;
    for (let j = 0; j < s.length; j += this.stride) {
      if (s[j] <= now - windowMs || s[j] > now) continue;
      for (let i = 0; i < this.width; i++) out[i] += s[j + 1 + i];
    }
    return out;
  }
}

/** Removes the first n values of a small array in place (no allocation, unlike splice). */
export function removeFirst(a: number[], n: number): void {
  for (let i = n; i < a.length; i++) a[i - n] = a[i];
  a.length -= n;
}
