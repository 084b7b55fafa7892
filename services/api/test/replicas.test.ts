import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { Emulator, demoScenario } from '@mmon/mediamtx-test';
import type { StreamSummary } from '@mmon/shared';
import { RedisServer, eventually, freePort } from '@mmon/test-support';

/** Built entry points (make test builds before it tests). */
const API = path.resolve(__dirname, '../dist/main.js');
const COLLECTOR = path.resolve(__dirname, '../../collector/dist/main.js');

/** When one machine is not enough: two collectors (one node each) and two api replicas share one Redis. */
describe('two collectors and two api replicas against one Redis', () => {
  let redis: RedisServer;
  const emulators: Emulator[] = [];
  const children: ChildProcess[] = [];
  const start = (main: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', REDIS_URL: redis.url, ...env }, stdio: 'ignore' });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(emulators.map((e) => e.close()));
    await redis.stop();
  });

  test('both replicas serve every node\'s streams and push every node\'s deltas; one replica gone, the other carries on', async () => {
    for (const id of ['a', 'b']) {
      const emu = await Emulator.start({ scenario: demoScenario() });
      emulators.push(emu);
      start(COLLECTOR, { MEDIAMTX_NODES: `${id}=${emu.url}`, COLLECT_INTERVAL_MS: '300' });
    }
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port) => start(API, { API_PORT: String(port), API_HOST: '127.0.0.1' }));
    const latest = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/api/streams/latest`)).json()) as StreamSummary[];
    for (const port of ports) {
      await eventually(async () => expect(new Set((await latest(port)).map((s) => s.node))).toEqual(new Set(['a', 'b'])), 20000, 200);
    }
    expect((await latest(ports[0])).map((s) => `${s.node}/${s.name}`)).toEqual((await latest(ports[1])).map((s) => `${s.node}/${s.name}`));

    // A dashboard on each replica: the full summaries, then deltas of both nodes in seq order.
    const feeds = ports.map((port) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`);
      const seen = { full: 0, nodes: new Set<string>(), seqs: [] as number[] };
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { type: string; seq?: number; node?: string };
        if (m.type === 'streams') seen.full++;
        if (m.type === 'streams.delta') {
          seen.nodes.add(m.node!);
          seen.seqs.push(m.seq!);
        }
      });
      return { ws, seen };
    });
    for (const { seen } of feeds) {
      await eventually(() => expect([...seen.nodes].sort()).toEqual(['a', 'b']), 20000, 100);
      expect(seen.full).toBe(1);
      expect(seen.seqs.every((seq, i) => i === 0 || seq === seen.seqs[i - 1] + 1)).toBe(true);
    }

    apis[0].kill('SIGTERM');
    await new Promise((resolve) => apis[0].once('exit', resolve));
    const before = feeds[1].seen.seqs.length;
    await eventually(() => expect(feeds[1].seen.seqs.length).toBeGreaterThan(before + 2), 10000, 100);
    for (const { ws } of feeds) ws.terminate();
  });
});
