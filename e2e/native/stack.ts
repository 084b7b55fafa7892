/**
 * The stack of compose.yaml, run natively on loopback for the end-to-end suite: redis-server, the
 * MediaMTX API emulator (demo streams, a monitor user with a password, as the bundled MediaMTX
 * has), a real ffmpeg SRT test pattern (moving picture and tone) that the snapshotter reads for
 * every stream, collector, sysmon, snapshotter, alerter and api from their dist/, and nginx running the web
 * image's configuration template in front. Every port is a free one; logs go to .run/e2e-native/.
 * Ready means what compose's `--wait` means: the heartbeat services pass the healthcheck compose
 * runs (services/shared/dist/healthcheck.js) and the api and nginx answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RedisServer, eventually, freePort, waitForPort } from '@mmon/test-support';
import { startNginx } from '../../services/web/test/support/nginx';

const ROOT = path.resolve(__dirname, '../..');
export const LOG_DIR = path.join(ROOT, '.run', 'e2e-native');
const HEALTHCHECK = path.join(ROOT, 'services/shared/dist/healthcheck.js');
const PUBLIC_DIR = path.join(ROOT, 'services/web/public');

export const SERVICES = ['collector', 'sysmon', 'snapshotter', 'alerter', 'api'] as const;
export type ServiceName = (typeof SERVICES)[number];
type Env = Record<string, string>;

export interface NativeStack {
  /** nginx, the one entry point, e.g. http://127.0.0.1:41234. */
  base: string;
  /** Stops everything; the services by SIGTERM, answering each one's exit code (null: killed). */
  stop(): Promise<Record<ServiceName, number | null>>;
}

/** A process whose output goes to LOG_DIR/<name>.log, with only the environment given (and PATH). */
function launch(name: string, command: string, args: string[], env: Env): ChildProcess {
  const log = fs.openSync(path.join(LOG_DIR, `${name}.log`), 'a');
  try {
    return spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', log, log] });
  } finally {
    fs.closeSync(log);
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL after the grace period (as `docker stop` does). */
async function terminate(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited(child);
  clearTimeout(timer);
  return code;
}

function logTail(name: string): string {
  const file = path.join(LOG_DIR, `${name}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '(no log)';
}

/**
 * An ffmpeg SRT listener publishing a moving test picture and a tone. It serves one reader at a
 * time and ends when that reader leaves, so it is restarted until stopped.
 */
function testPattern(port: number, children: ChildProcess[]): { stop(): Promise<void> } {
  let stopped = false;
  let child: ChildProcess | undefined;
  let restart: NodeJS.Timeout | undefined;
  const run = () => {
    if (stopped) return;
    child = launch('testpattern', 'ffmpeg', [
      ...['-hide_banner', '-loglevel', 'fatal', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:beep_factor=4'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-c:a', 'aac'],
      ...['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`],
    ], {});
    children.push(child);
    child.once('exit', () => {
      if (!stopped) restart = setTimeout(run, 200);
    });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(restart); // between a reader leaving and the restart: nothing is started any more
      if (child) await terminate(child, 3000);
    },
  };
}

/** Waits until something listens on a UDP port of this host (SRT is UDP): /proc/net/udp{,6}. */
async function waitForUdpPort(port: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  await eventually(() => {
    const tables = ['/proc/net/udp', '/proc/net/udp6'].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
    if (!tables.some((t) => t.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim())))) {
      throw new Error(`nothing listens on UDP port ${port}`);
    }
  }, 10_000, 50);
}

export async function startNativeStack(): Promise<NativeStack> {
  fs.rmSync(LOG_DIR, { recursive: true, force: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const children: ChildProcess[] = [];
  // Whatever happens to this process, nothing it started outlives it.
  const killAll = () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'));
  process.once('exit', killAll);

  const redis = await RedisServer.start();
  const [emulatorPort, srtPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const monitor = { user: 'monitor', pass: randomBytes(12).toString('hex') };

  const emulator = launch('emulator', process.execPath, ['mediamtx-test/dist/main.js'], {
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_SCENARIO: 'demo',
    EMULATOR_USER: monitor.user,
    EMULATOR_PASS: monitor.pass,
    LOG_LEVEL: 'warn',
  });
  children.push(emulator);
  await waitForPort(emulatorPort);
  const pattern = testPattern(srtPort, children);
  // Listening before the snapshotter's first cycle, which would otherwise fail and back off.
  await waitForUdpPort(srtPort);

  const common: Env = { REDIS_URL: redis.url, LOG_LEVEL: 'info', MEDIAMTX_API_URL: `http://127.0.0.1:${emulatorPort}` };
  const heartbeat = (name: ServiceName, maxAgeMs: number): Env => ({
    HEARTBEAT_FILE: path.join(LOG_DIR, `${name}.heartbeat`),
    HEARTBEAT_MAX_AGE_MS: String(maxAgeMs),
  });
  const envs: Record<ServiceName, Env> = {
    collector: { ...common, ...heartbeat('collector', 30_000), MEDIAMTX_API_USER: monitor.user, MEDIAMTX_API_PASS: monitor.pass },
    sysmon: { ...common, ...heartbeat('sysmon', 60_000), SYSMON_INTERVAL_MS: '1000', DOCKER_SOCKET: path.join(LOG_DIR, 'no-docker.sock') },
    snapshotter: {
      ...common,
      ...heartbeat('snapshotter', 180_000),
      // Every stream's thumbnail from the one test pattern, one reader at a time: a cycle of the
      // four demo streams takes ~7 s, within the images' lifetime of three intervals.
      SNAPSHOT_SOURCE_URL: `srt://127.0.0.1:${srtPort}?streamid=read:{name}`,
      SNAPSHOT_CONCURRENCY: '1',
      SNAPSHOT_INTERVAL_MS: '5000',
      SNAPSHOT_MAX_BACKOFF_MS: '4000',
    },
    alerter: { REDIS_URL: redis.url, LOG_LEVEL: 'info', ...heartbeat('alerter', 30_000) },
    api: { REDIS_URL: redis.url, LOG_LEVEL: 'info', API_PORT: String(apiPort), API_HOST: '127.0.0.1' },
  };
  const services = {} as Record<ServiceName, ChildProcess>;
  for (const name of SERVICES) {
    services[name] = launch(name, process.execPath, [`services/${name}/dist/main.js`], envs[name]);
    children.push(services[name]);
  }

  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  const stopAll = async (): Promise<Record<ServiceName, number | null>> => {
    const exits = {} as Record<ServiceName, number | null>;
    await Promise.all(SERVICES.map(async (name) => (exits[name] = await terminate(services[name]))));
    await nginx?.stop();
    await pattern.stop();
    await terminate(emulator);
    await redis.stop();
    process.removeListener('exit', killAll);
    return exits;
  };

  // A service that ends while the stack starts fails the start at once, with its log.
  let starting = true;
  const died = new Promise<never>((_resolve, reject) => {
    for (const name of SERVICES) {
      services[name].once('exit', (code) => {
        if (starting) reject(new Error(`${name} exited with ${code}:\n${logTail(name)}`));
      });
    }
  });
  died.catch(() => undefined);
  try {
    const ready = async () => {
      await Promise.all(
        (['collector', 'sysmon', 'snapshotter', 'alerter'] as const).map((name) =>
          eventually(() => {
            const check = spawnSync(process.execPath, [HEALTHCHECK], { env: envs[name], encoding: 'utf8' });
            if (check.status !== 0) throw new Error(`${name} not healthy: ${check.stderr.trim()}`);
          }, 30_000, 250),
        ),
      );
      await waitForPort(apiPort, 30_000);
      if (!starting) throw new Error('start abandoned'); // a service died meanwhile: no nginx left behind
      return startNginx({ apiUpstream: `http://127.0.0.1:${apiPort}`, root: PUBLIC_DIR });
    };
    nginx = await Promise.race([ready(), died]);
    starting = false;
  } catch (err) {
    starting = false;
    await stopAll();
    throw new Error(`the native stack did not start (logs in ${LOG_DIR}): ${(err as Error).message}`);
  }
  return { base: `http://127.0.0.1:${nginx.port}`, stop: stopAll };
}
