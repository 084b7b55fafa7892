import type { Heartbeat } from './heartbeat';

/**
 * Runs an async cycle every intervalMs, start to start, never two at once: a cycle that overruns
 * the interval is followed by the next one at once, never by a pile-up. The cycle must not throw
 * (a rejection is swallowed here so the loop goes on). After every cycle the heartbeat, when
 * given, is written. The one loop of every service.
 */
export class IntervalLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Start to start of the last two cycles: the interval, or longer when a cycle overran it. */
  effectiveIntervalMs: number;

  constructor(
    private readonly intervalMs: number,
    private readonly cycle: () => Promise<void>,
    private readonly heartbeat: Heartbeat | null = null,
    private readonly now: () => number = Date.now,
  ) {
    this.effectiveIntervalMs = intervalMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for a cycle under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.cycle()
        .catch(() => undefined)
        .then(() => this.heartbeat?.beat())
        .finally(() => {
          this.running = undefined;
          const elapsed = this.now() - started;
          this.effectiveIntervalMs = Math.max(this.intervalMs, elapsed);
          this.schedule(Math.max(0, this.intervalMs - elapsed));
        });
    }, delayMs);
  }
}
