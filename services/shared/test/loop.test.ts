import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Heartbeat, IntervalLoop } from '@mmon/shared';
import { eventually } from '@mmon/test-support';

const HEALTHCHECK = path.join(__dirname, '..', 'dist', 'healthcheck.js');

function healthcheck(env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HEALTHCHECK], { env }, (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }));
  });
}

describe('IntervalLoop', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'loop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('runs start to start, one cycle at a time; an overrun is followed at once and reported', async () => {
    const starts: number[] = [];
    let running = 0;
    let overlapped = false;
    const loop = new IntervalLoop(50, async () => {
      starts.push(Date.now());
      overlapped ||= running > 0;
      running++;
      await new Promise((r) => setTimeout(r, starts.length === 2 ? 200 : 5)); // the second cycle overruns
      running--;
    });
    loop.start();
    try {
      await eventually(() => expect(starts.length).toBeGreaterThanOrEqual(4));
    } finally {
      await loop.stop();
    }
    expect(overlapped).toBe(false);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(200); // no second cycle while one runs
    expect(starts[2] - starts[1]).toBeLessThan(200 + 50); // and the next one at once, not an interval later
    const n = starts.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(starts.length).toBe(n); // stopped means stopped
  });

  test('a failing cycle neither ends the loop nor stops the heartbeat; the healthcheck reads it', async () => {
    const file = path.join(dir, 'heartbeat');
    let cycles = 0;
    const loop = new IntervalLoop(
      20,
      async () => {
        cycles++;
        throw new Error('boom');
      },
      new Heartbeat(file),
    );
    const env = { PATH: process.env.PATH, HEARTBEAT_FILE: file, HEARTBEAT_MAX_AGE_MS: '5000' };
    expect((await healthcheck(env)).code).toBe(1); // nothing written yet
    loop.start();
    try {
      await eventually(async () => expect(Date.parse((await readFile(file, 'utf8')).trim())).toBeGreaterThan(0));
      await eventually(() => expect(cycles).toBeGreaterThan(3));
    } finally {
      await loop.stop();
    }
    expect(await healthcheck(env)).toEqual({ code: 0, stderr: '' });
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old); // a hung loop: the heartbeat ages
    const stale = await healthcheck(env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/heartbeat is 6\d s old/);
  });
});
