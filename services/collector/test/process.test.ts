import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { Emulator, demoScenario } from '@mmon/mediamtx-test';
import { keys, type CollectorStatus, type Stream } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';

/** The built entry point (make test builds before it tests). */
const MAIN = path.resolve(__dirname, '../dist/main.js');

function collector(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the collector process', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  const emulators: Emulator[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(emulators.map((e) => e.close()));
    redis.disconnect();
    await redisServer.stop();
  });

  test.each([
    ['COLLECT_INTERVAL_MS', { COLLECT_INTERVAL_MS: 'often' }],
    ['MEDIAMTX_NODES', { MEDIAMTX_NODES: 'a b=http://x' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
  ])('a bad %s prints one line naming it and exits with code 2', (variable, env) => {
    const res = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 10000 });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(new RegExp(`^configuration error: ${variable}: `));
  });

  test('two collectors for two nodes against one Redis give one merged view; one node failing stays its own', async () => {
    await redis.flushall();
    const a = await Emulator.start({ scenario: demoScenario(), layout: 'v1.20' });
    const b = await Emulator.start({ scenario: demoScenario(), layout: 'v1.21', auth: { user: 'mon', pass: 'pa:ss' } });
    emulators.push(a, b);
    const common = { REDIS_URL: redisServer.url, COLLECT_INTERVAL_MS: '200', MEDIAMTX_TIMEOUT_MS: '300' };
    const ca = collector({ ...common, MEDIAMTX_NODES: `a=${a.url}` });
    const cb = collector({ ...common, MEDIAMTX_NODES: `b=http://mon:pa%3Ass@127.0.0.1:${b.port}` });
    children.push(ca.child, cb.child);

    const merged = await eventually(async () => {
      const streams: Stream[] = JSON.parse((await redis.get(keys.streamsLatest)) ?? '[]');
      expect(streams).toHaveLength(10);
      return streams;
    });
    expect(merged.map((s) => `${s.node}:${s.name}`)).toEqual([
      ...demoScenario().paths.map((p) => `a:${p.name}`).sort(),
      ...demoScenario().paths.map((p) => `b:${p.name}`).sort(),
    ]);
    expect(JSON.parse((await redis.get(keys.streamsMeta))!).nodes).toEqual(['a', 'b']);

    a.setFault({ kind: 'status', status: 503 });
    const status = async (node: string): Promise<CollectorStatus> => JSON.parse((await redis.get(keys.nodeStatus(node)))!);
    await eventually(async () => expect((await status('a')).stale).toBe(true));
    const bBefore = (await status('b')).lastSuccessAt;
    await eventually(async () => expect((await status('b')).lastSuccessAt).not.toBe(bBefore));
    expect((await status('b')).stale).toBe(false);
    const stillMerged: Stream[] = JSON.parse((await redis.get(keys.streamsLatest))!);
    expect(stillMerged.filter((s) => s.node === 'a')).toHaveLength(5);

    expect(ca.output() + cb.output()).not.toMatch(/pa:ss|pa%3Ass/);
    ca.child.kill('SIGTERM');
    cb.child.kill('SIGTERM');
    expect(await exited(ca.child)).toBe(0);
    expect(await exited(cb.child)).toBe(0);
    const logged = ca.output().trim().split('\n').map((l) => JSON.parse(l));
    expect(logged.filter((l) => l.level === 'warn' && /mediamtx node a/.test(l.message))).toHaveLength(1);
    expect(logged.at(-1)).toMatchObject({ message: 'collector stopped', service: 'collector' });
  });

  test('one collector, two nodes: a node slower than the interval never delays the other', async () => {
    await redis.flushall();
    const fast = await Emulator.start({ scenario: demoScenario() });
    const slow = await Emulator.start({ scenario: demoScenario() });
    emulators.push(fast, slow);
    slow.setFault({ kind: 'slow', delayMs: 2500 });
    const c = collector({
      REDIS_URL: redisServer.url,
      COLLECT_INTERVAL_MS: '200',
      MEDIAMTX_TIMEOUT_MS: '10000',
      MEDIAMTX_NODES: `fast=${fast.url},slow=${slow.url}`,
    });
    children.push(c.child);
    const successes = new Set<string>();
    await eventually(async () => {
      const status: CollectorStatus = JSON.parse((await redis.get(keys.nodeStatus('fast'))) ?? 'null');
      if (status?.lastSuccessAt) successes.add(status.lastSuccessAt);
      expect(successes.size).toBeGreaterThanOrEqual(5);
    }, 2000, 100);
    // five fresh polls of "fast" while "slow" never answered in time: its polls are cut off at their
    // deadline (three intervals), which marks only that node stale
    const slowStatus: CollectorStatus | null = JSON.parse((await redis.get(keys.nodeStatus('slow'))) ?? 'null');
    expect(slowStatus?.lastSuccessAt ?? null).toBeNull();
    if (slowStatus !== null) expect(slowStatus).toMatchObject({ stale: true, lastError: expect.stringMatching(/deadline of 600 ms/) });
    c.child.kill('SIGTERM');
    expect(await exited(c.child)).toBe(0);
  });
});
