import Docker from 'dockerode';
import Redis from 'ioredis';
import { FaultLog, connectRedis, createLogger, keys } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { ContainerSampler } from '../src/containers';
import { SysmonLoop } from '../src/loop';
import { SystemSampler } from '../src/sampler';
import type { SystemSample } from '../src/types';

const INTERVAL_MS = 500;

describe('sysmon loop against a real redis-server', () => {
  let server: RedisServer;
  let subscriber: Redis;
  let reader: Redis;
  let redis: Redis;
  let loop: SysmonLoop;
  const messages: { kind: string; at: string }[] = [];
  const logs: { level: string; message: string; source?: string; error?: string }[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    subscriber = new Redis(server.url);
    reader = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await subscriber.subscribe(keys.updates);
    subscriber.on('message', (_channel, message: string) => messages.push(JSON.parse(message)));

    const logger = createLogger('sysmon-test', 'debug');
    logger.transports.forEach((t) => (t.silent = true));
    logger.on('data', (info) => logs.push(info));
    const faults = new FaultLog(logger);
    redis = connectRedis(server.url, faults);
    const docker = new Docker({ socketPath: '/nonexistent/sysmon-test/docker.sock' });
    const sampler = new SystemSampler(
      { intervalMs: INTERVAL_MS, diskPaths: ['/'], netDevFile: '/proc/net/dev' },
      new ContainerSampler(docker, 'project', 'sysmon-test'),
      faults,
    );
    loop = new SysmonLoop(INTERVAL_MS, { sampler, redis, faults, logger });
    loop.start();
  });

  afterAll(async () => {
    await loop?.stop();
    redis?.disconnect();
    subscriber?.disconnect();
    reader?.disconnect();
    await server?.stop();
  });

  async function latest(): Promise<SystemSample> {
    const raw = await reader.get(keys.systemLatest);
    expect(raw).not.toBeNull();
    return JSON.parse(raw as string) as SystemSample;
  }

  it('writes the sample and announces it on the updates channel', async () => {
    await eventually(() => expect(messages.length).toBeGreaterThan(0));
    expect(messages[0]).toEqual({ kind: 'system', at: expect.any(String) });
    const sample = await latest();
    expect(Date.parse(sample.sampledAt)).toBeGreaterThan(0);
    expect(sample).toMatchObject({
      cpu_percent: expect.any(Number),
      ram_used_mb: expect.any(Number),
      ram_total_mb: expect.any(Number),
      load_avg: [expect.any(Number), expect.any(Number), expect.any(Number)],
      cpu_per_core: expect.any(Array),
      swap_used_mb: expect.any(Number),
      swap_total_mb: expect.any(Number),
      uptime_s: expect.any(Number),
      hostname: expect.any(String),
      intervalMs: INTERVAL_MS,
      disks: [{ mount: '/', size_mb: expect.any(Number), used_mb: expect.any(Number), percent: expect.any(Number) }],
    });
    expect(sample).toHaveProperty('temperature_c');
    expect(sample).toHaveProperty('net_in_mbps');
    expect(sample).toHaveProperty('net_out_mbps');
    // No Docker API at that socket: the field is left out, the sample is still written.
    expect(sample).not.toHaveProperty('containers');
  });

  it('has network rates from the second sample on', async () => {
    await eventually(async () => {
      const sample = await latest();
      expect(sample.net_in_mbps).toEqual(expect.any(Number));
      expect(sample.net_out_mbps).toEqual(expect.any(Number));
      expect(sample.net_in_mbps).toBeGreaterThanOrEqual(0);
    });
    // The message's time is the sample's time.
    await eventually(async () => expect(messages.map((m) => m.at)).toContain((await latest()).sampledAt));
  });

  it('logs the missing Docker API once, not on every cycle', async () => {
    const before = messages.length;
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(before + 2));
    expect(logs.filter((l) => l.source === 'docker' && l.message === 'docker failing')).toHaveLength(1);
  });

  it('keeps sampling while Redis is away and publishes again when it is back', async () => {
    await server.stop();
    await eventually(() => expect(logs.some((l) => l.message === 'publish failing')).toBe(true));
    await server.start();
    const since = Date.now();
    await eventually(async () => {
      const sample = await latest();
      expect(Date.parse(sample.sampledAt)).toBeGreaterThanOrEqual(since);
    }, 15000);
    await eventually(() => expect(logs.some((l) => l.message === 'publish recovered')).toBe(true));
    await eventually(() => expect(messages.some((m) => Date.parse(m.at) >= since)).toBe(true), 15000);
  });
});
