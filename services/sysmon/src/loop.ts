import type Redis from 'ioredis';
import { IntervalLoop, type FaultLog, type Heartbeat, type HostHistoryWriter, type Logger } from '@mmon/shared';
import { publishSample } from './publish';
import type { SystemSampler } from './sampler';

export interface LoopDeps {
  sampler: SystemSampler;
  redis: Redis;
  faults: FaultLog;
  logger: Logger;
  /** Rewritten after every cycle, for the container healthcheck. */
  heartbeat?: Heartbeat | null;
  /** The host's history, written after each sample; null keeps none. */
  history?: HostHistoryWriter | null;
}

/**
 * Samples every intervalMs (start to start, never two cycles at once) and publishes. A failing
 * sample or write is logged once per change and the loop goes on: with Redis away, sampling
 * continues (the rates stay continuous) and the next write after Redis is back succeeds.
 */
export class SysmonLoop {
  private readonly loop: IntervalLoop;

  constructor(
    intervalMs: number,
    private readonly deps: LoopDeps,
  ) {
    this.loop = new IntervalLoop(intervalMs, () => this.cycle(), deps.heartbeat ?? null);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
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
      await publishSample(redis, sample, this.deps.history ?? null);
      faults.ok('publish');
      logger.debug('system sample published', { sampledAt: sample.sampledAt, containers: sample.containers?.length ?? null });
    } catch (err) {
      faults.fail('publish', err);
    }
  }
}
