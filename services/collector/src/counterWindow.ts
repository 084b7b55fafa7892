/**
 * Growth of a few cumulative counters over sliding windows (e.g. packets dropped in the last
 * 10 s), reset-safe: each sample's growth over the previous sample is recorded, and a counter
 * that goes down restarts its baseline at the new value (that step counts 0; the growth seen
 * before it stays in the window). The first sample is only a baseline.
 *
 * Compact: only the last values and the steps where some counter grew are kept (flat
 * [t, d0, d1, …]), pruned to `keepMs`, so a connection without trouble costs a few numbers.
 */
export class CounterWindow {
  private readonly last: number[];
  private lastT = NaN;
  private readonly steps: number[] = [];
  private readonly stride: number;

  constructor(
    private readonly width: number,
    private readonly keepMs: number,
  ) {
    this.stride = width + 1;
    this.last = new Array<number>(width).fill(0);
  }

  push(t: number, values: readonly number[]): void {
    const last = this.last;
    const w = this.width;
    if (t > this.lastT) {
      let grew = false;
      for (let i = 0; i < w; i++) if (values[i] > last[i]) grew = true;
      if (grew) {
        this.steps.push(t);
        for (let i = 0; i < w; i++) this.steps.push(Math.max(0, values[i] - last[i]));
      }
    }
    // First sample (lastT NaN) or a clock that did not advance: only a new baseline.
    for (let i = 0; i < w; i++) last[i] = values[i];
    if (!(t <= this.lastT)) this.lastT = t;
    const s = this.steps;
    let drop = 0;
    while (drop < s.length && s[drop] <= t - this.keepMs) drop += this.stride;
    if (drop > 0) removeFirst(s, drop);
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
