import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { RedisServer, eventually, freePort } from '@mmon/test-support';

const MAIN = path.resolve(__dirname, '../dist/main.js');

describe('the api process', () => {
  test('a bad API_PORT prints one line naming it and exits with code 2', () => {
    const res = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, API_PORT: '99999' }, encoding: 'utf8', timeout: 10000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toBe('configuration error: API_PORT: must be at most 65535, got 99999\n');
  });

  test('starts without Redis, serves, and ends cleanly on SIGTERM', async () => {
    const redis = await RedisServer.start();
    await redis.stop(); // a port where nothing listens
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, API_PORT: String(port), API_HOST: '127.0.0.1', REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const health = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      return { status: res.status, body: await res.json() };
    });
    expect(health.status).toBe(503);
    expect(health.body.redis.reachable).toBe(false);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/streams/latest`)).json()).toEqual([]);
    await redis.start();
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200), 15000, 200);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.message === 'redis failing')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ message: 'api stopped' });
    await redis.stop();
  });
});
