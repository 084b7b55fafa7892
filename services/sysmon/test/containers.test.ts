import Docker from 'dockerode';
import { FaultLog, createLogger } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { ContainerSampler } from '../src/containers';
import { SystemSampler } from '../src/sampler';
import { HOST_SAFE_RUN_OPTIONS, PodmanService, ensureBusyboxImage, podman, removeContainers, uniqueName } from './support/podman';

/** Against a real Docker Engine API (podman's service). Fails, not skips, without podman: CI installs it. */
describe('containers through a real Docker Engine API (podman)', () => {
  const project = uniqueName('mmon-sysmon-test');
  const running = `${project}-probe`;
  const created = `${project}-idle`;
  const stranger = uniqueName('mmon-sysmon-other');
  let service: PodmanService | undefined;
  let docker: Docker;
  let runningId: string;
  let image: string;

  beforeAll(async () => {
    service = await PodmanService.start();
    docker = new Docker({ socketPath: service.socketPath });
    image = await ensureBusyboxImage();
    const opts = HOST_SAFE_RUN_OPTIONS;
    const labels = (p: string, s: string) => ['--label', `com.docker.compose.project=${p}`, '--label', `com.docker.compose.service=${s}`];
    const healthCheck = ['--health-cmd', 'sh -c :', '--health-interval', 'disable'];
    runningId = await podman('run', '--detach', '--name', running, ...labels(project, 'probe'), ...healthCheck, ...opts, image, 'sleep', '300');
    await podman('healthcheck', 'run', running);
    await podman('create', '--name', created, ...labels(project, 'idle'), ...opts, image, 'sleep', '300');
    await podman('run', '--detach', '--name', stranger, ...labels(`${project}-x`, 'probe'), ...opts, image, 'sleep', '300');
  }, 60000);

  afterAll(async () => {
    await removeContainers([running, created, stranger]);
    await service?.stop();
  }, 60000);

  it('lists the project containers with state, health, restarts and resources', async () => {
    const sampler = new ContainerSampler(docker, 'project', project);
    const first = await sampler.sample();
    expect(first.map((c) => c.name)).toEqual([created, running]);
    const probe = first.find((c) => c.name === running)!;
    expect(probe).toEqual({
      name: running,
      id: runningId.slice(0, 12),
      image,
      service: 'probe',
      state: 'running',
      health: 'healthy',
      restart_count: 0,
      cpu_percent: null,
      mem_used_mb: expect.any(Number),
      mem_limit_mb: expect.any(Number),
      net_in_mbps: null,
      net_out_mbps: null,
    });
    expect(probe.mem_limit_mb).toBeGreaterThan(0);
    expect(first.find((c) => c.name === created)).toMatchObject({
      service: 'idle',
      state: 'created',
      health: null,
      restart_count: 0,
      cpu_percent: null,
      mem_used_mb: null,
      net_in_mbps: null,
    });

    // From the second sample on, CPU and network rates are derived from the deltas.
    await eventually(async () => {
      const again = (await sampler.sample()).find((c) => c.name === running)!;
      expect(again.cpu_percent).toEqual(expect.any(Number));
      expect(again.cpu_percent).toBeGreaterThanOrEqual(0);
      expect(again.net_in_mbps).toEqual(expect.any(Number));
      expect(again.net_out_mbps).toBeGreaterThanOrEqual(0);
    });
  });

  it('lists every container with scope "all"', async () => {
    const names = (await new ContainerSampler(docker, 'all', project).sample()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([running, created, stranger]));
  });

  it('puts the containers into the system sample, and leaves them out once the API is gone', async () => {
    const logger = createLogger('sysmon-test', 'error');
    const sampler = new SystemSampler(
      { intervalMs: 5000, diskPaths: ['/'], netDevFile: '/proc/net/dev' },
      new ContainerSampler(docker, 'project', project),
      new FaultLog(logger),
    );
    const sample = await sampler.sample();
    expect(sample.containers?.map((c) => c.name)).toEqual([created, running]);

    await service!.stop();
    service = undefined;
    const without = await sampler.sample();
    expect(without).not.toHaveProperty('containers');
    expect(without.ram_total_mb).toBeGreaterThan(0);
  });
});
