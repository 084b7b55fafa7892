import type Redis from 'ioredis';
import type { FaultLog, Logger } from '@mmon/shared';
import { publishSample } from './publish';
import type { SystemSampler } from './sampler';

export interface LoopDeps {
  sampler: SystemSampler;
  redis: Redis;
  faults: FaultLog;
  logger: Logger;
}

/**
 * Samples every intervalMs (start to start, never two cycles at once) and publishes. A failing
 * sample or write is logged once per change and the loop goes on: with Redis away, sampling
 * continues (the rates stay continuous) and the next write after Redis is back succeeds.
 */
export class SysmonLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly deps: LoopDeps,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.cycle().finally(() => {
        this.running = undefined;
        this.schedule(Math.max(0, started + this.intervalMs - Date.now()));
      });
    }, delayMs);
  }

  private async cycle(): Promise<void> {
    const { sampler, redis, faults, logger } = this.deps;
    let sample;
    try {
      sample = await sampler.sample();
      faults.ok('sample');
    } catch (err) {
      faults.fail('sample', err);
      return;
    }
    try {
      await publishSample(redis, sample);
      faults.ok('publish');
      logger.debug('system sample published', { sampledAt: sample.sampledAt, containers: sample.containers?.length ?? null });
    } catch (err) {
      faults.fail('publish', err);
    }
  }
}
