import type Docker from 'dockerode';
import type { ContainerScope } from './config';
import { statsMetrics, type ContainerBaseline, type RawStats } from './containerStats';
import type { ContainerMetrics } from './types';

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

/**
 * Lists containers through a Docker Engine API (Docker or podman's compatible service) with their
 * state, health, restarts and one-shot stats. Keeps each container's previous counters for rates.
 * Throws when the API is unreachable; the caller decides what that means.
 */
export class ContainerSampler {
  private baselines = new Map<string, ContainerBaseline>();

  constructor(
    private readonly docker: Docker,
    private readonly scope: ContainerScope,
    private readonly project: string,
  ) {}

  async sample(): Promise<ContainerMetrics[]> {
    const list = await this.docker.listContainers(
      this.scope === 'project' ? { all: true, filters: { label: [`${PROJECT_LABEL}=${this.project}`] } } : { all: true },
    );
    const next = new Map<string, ContainerBaseline>();
    const results = await Promise.all(list.map((summary) => this.one(summary, next)));
    this.baselines = next;
    return results.filter((c): c is ContainerMetrics => c !== null).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One container; null when it disappeared between the listing and the details. */
  private async one(summary: Docker.ContainerInfo, next: Map<string, ContainerBaseline>): Promise<ContainerMetrics | null> {
    const container = this.docker.getContainer(summary.Id);
    try {
      const running = summary.State === 'running';
      const [info, stats] = await Promise.all([
        container.inspect(),
        running ? (container.stats({ stream: false, 'one-shot': true }) as Promise<RawStats>) : Promise.resolve(null),
      ]);
      const at = Date.now();
      const derived = stats ? statsMetrics(stats, this.baselines.get(summary.Id), at) : null;
      if (derived) next.set(summary.Id, derived.baseline);
      return {
        name: (summary.Names[0] ?? info.Name ?? summary.Id).replace(/^\//, ''),
        id: summary.Id.slice(0, 12),
        image: summary.Image,
        service: summary.Labels?.[SERVICE_LABEL] ?? null,
        state: info.State?.Status || summary.State,
        health: info.State?.Health?.Status || null,
        restart_count: info.RestartCount ?? 0,
        cpu_percent: derived?.metrics.cpu_percent ?? null,
        mem_used_mb: derived?.metrics.mem_used_mb ?? null,
        mem_limit_mb: derived?.metrics.mem_limit_mb ?? null,
        net_in_mbps: derived?.metrics.net_in_mbps ?? null,
        net_out_mbps: derived?.metrics.net_out_mbps ?? null,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }
}
