import type { FaultLog } from '@mmon/shared';
import type { ContainerSampler } from './containers';
import { readDisk, readHost, readNetCounters } from './hostMetrics';
import { counterRates, type CounterSample } from './rates';
import type { DiskUsage, SystemSample } from './types';

export interface SamplerOptions {
  intervalMs: number;
  diskPaths: string[];
  netDevFile: string;
}

/**
 * Takes one SystemSample. Parts that fail (network counters, a disk path, the Docker API) are
 * logged once per change through the FaultLog and left out or null; the sample itself never fails
 * for them. Keeps the previous network counters for the rates.
 */
export class SystemSampler {
  private prevNet: CounterSample | undefined;

  constructor(
    private readonly options: SamplerOptions,
    private readonly containers: ContainerSampler,
    private readonly faults: FaultLog,
  ) {}

  async sample(): Promise<SystemSample> {
    const [host, net, disks, containers] = await Promise.all([readHost(), this.netRates(), this.disks(), this.containerList()]);
    return {
      ...host,
      net_in_mbps: net.inMbps,
      net_out_mbps: net.outMbps,
      disks,
      sampledAt: new Date().toISOString(),
      intervalMs: this.options.intervalMs,
      ...(containers ? { containers } : {}),
    };
  }

  private async netRates() {
    const source = `net counters ${this.options.netDevFile}`;
    try {
      const next = await readNetCounters(this.options.netDevFile);
      const rates = counterRates(this.prevNet, next);
      this.prevNet = next;
      this.faults.ok(source);
      return rates;
    } catch (err) {
      this.prevNet = undefined;
      this.faults.fail(source, err);
      return { inMbps: null, outMbps: null };
    }
  }

  private async disks(): Promise<DiskUsage[]> {
    const disks = await Promise.all(
      this.options.diskPaths.map(async (path) => {
        try {
          const disk = await readDisk(path);
          this.faults.ok(`disk ${path}`);
          return disk;
        } catch (err) {
          this.faults.fail(`disk ${path}`, err);
          return null;
        }
      }),
    );
    return disks.filter((d): d is DiskUsage => d !== null);
  }

  /** undefined (field left out) while the Docker API is unreachable. */
  private async containerList() {
    try {
      const list = await this.containers.sample();
      this.faults.ok('docker');
      return list;
    } catch (err) {
      this.faults.fail('docker', err);
      return undefined;
    }
  }
}
