import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import winston from 'winston';
import WebSocket from 'ws';
import { Emulator, demoScenario } from '@mmon/mediamtx-test';
import { FaultLog, connectRedis, connectSubscriber, createLogger } from '@mmon/shared';
import { eventually, freePort, waitForPort } from '@mmon/test-support';
import { SentinelGroup } from './support/sentinel';

/** Redis high availability for real: a primary, its replica and three Sentinels; the primary is killed. */

const ROOT = path.resolve(__dirname, '../../..');
/** The bound: the dashboard's data is fresh again this soon after the primary is lost. */
const RECOVERY_MS = 30_000;

/**
 * A failover is a race between the Sentinels, ioredis' reconnects and the services' loops. One cause
 * of a lost run was found: ioredis' failover detector closed a connection that was reconnecting,
 * which ioredis then ended for good (the api stayed without Redis; redis.test.ts reproduces it, and
 * connectRedis/connectSubscriber now connect such a connection again). Each test still gets two more
 * tries, and every failed try is printed, so any remaining flake stays visible.
 */
jest.retryTimes(2, { logErrorsBeforeRetry: true });

let group: SentinelGroup | undefined;
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  group?.stop();
  group = undefined;
});

/** A FaultLog whose lines are kept, to count what a connection logged. */
function recordingFaults(): { faults: FaultLog; messages: string[] } {
  const messages: string[] = [];
  const logger = createLogger('sentinel-test', 'debug');
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          messages.push((JSON.parse(chunk.toString('utf8')) as { message: string }).message);
          done();
        },
      }),
    }),
  );
  return { faults: new FaultLog(logger), messages };
}

/** Waits for the Sentinels to report the replica as the primary; the instances' logs explain a failure. */
async function promoted(g: SentinelGroup): Promise<void> {
  try {
    await eventually(async () => expect(await g.reportedPrimaryPort()).toBe(g.replicaPort), RECOVERY_MS, 200);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${g.logs()}`);
  }
}

/** The TCP port of the server a connection is on. */
async function serverPort(redis: Redis): Promise<number> {
  return Number(/tcp_port:(\d+)/.exec(await redis.info('server'))![1]);
}

describe('services connected through Redis Sentinel', () => {
  it('follow a failover: the replica is promoted, data written before is there, writes, reads and subscriptions carry on', async () => {
    group = await SentinelGroup.start();
    const { faults, messages } = recordingFaults();
    const redis = connectRedis(group.target(), faults);
    const subscriber = connectSubscriber(group.target(), faults);
    clients.push(redis, subscriber);
    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    await subscriber.subscribe('updates');
    await eventually(async () => expect(await redis.set('before', 'kept')).toBe('OK'));
    expect(await serverPort(redis)).toBe(group.primaryPort);
    expect(await redis.wait(1, 5000)).toBe(1); // the replica has it

    // A service writes in a loop, as the collector does; failed writes are expected during the failover.
    let writes = 0;
    let failures = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await redis.incr('counter').then(() => (writes += 1), () => (failures += 1));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Stopped whatever happens: a loop left running would keep jest from exiting after a failed try.
    try {
      await eventually(() => expect(writes).toBeGreaterThan(3));
      await group.killPrimary();
      const writesAtKill = writes;
      await promoted(group);
      await eventually(() => expect(writes).toBeGreaterThan(writesAtKill + 5), RECOVERY_MS, 200);
    } finally {
      writing = false;
      await writer;
    }
    expect(failures).toBeGreaterThan(0);
    expect(await serverPort(redis)).toBe(group.replicaPort);
    expect(await redis.get('before')).toBe('kept');
    // The subscription was renewed on the new primary.
    await eventually(async () => {
      await redis.publish('updates', 'after failover');
      expect(received).toContain('after failover');
    }, RECOVERY_MS, 200);
    // The loss is logged when it starts and when it ends, not once per attempt.
    expect(messages.filter((m) => m.startsWith('redis '))).toEqual(['redis failing', 'redis recovered']);
  }, 60_000);

  it('follow a failover while the old primary still runs: writes go to the new primary', async () => {
    group = await SentinelGroup.start();
    const redis = connectRedis(group.target(), recordingFaults().faults);
    clients.push(redis);
    await eventually(async () => expect(await redis.set('k', 'before')).toBe('OK'));
    expect(await redis.wait(1, 5000)).toBe(1);
    await group.failover();
    await promoted(group);
    // The old primary becomes a replica shortly after; a client left on it would be refused writes (READONLY).
    await eventually(
      async () => {
        expect(await redis.set('k', 'after')).toBe('OK');
        expect(await serverPort(redis)).toBe(group!.replicaPort);
      },
      RECOVERY_MS,
      200,
    );
    expect(group.running('primary')).toBe(true);
    expect(await redis.get('k')).toBe('after');
  }, 60_000);

  it('reach the primary over TLS when REDIS_URL says rediss: (ioredis would use plain TCP to it otherwise)', async () => {
    const sentinels = [{ host: '127.0.0.1', port: await freePort() }];
    const tls = connectRedis({ url: 'rediss://127.0.0.1:1/2', sentinels, sentinelName: 'm' }, recordingFaults().faults);
    const plain = connectRedis({ url: 'redis://127.0.0.1:1/2', sentinels, sentinelName: 'm' }, recordingFaults().faults);
    clients.push(tls, plain);
    expect(tls.options).toMatchObject({ sentinels, name: 'm', db: 2, tls: {}, enableTLSForSentinelMode: true });
    expect(plain.options).toMatchObject({ sentinels, name: 'm', db: 2, tls: undefined, enableTLSForSentinelMode: false });
  });

  it('pass over a Sentinel that accepts connections but never answers', async () => {
    group = await SentinelGroup.start();
    const sockets = new Set<net.Socket>();
    const hung = net.createServer((s) => sockets.add(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const target = group.target();
      target.sentinels.unshift({ host: '127.0.0.1', port: (hung.address() as net.AddressInfo).port });
      const redis = connectRedis(target, recordingFaults().faults);
      clients.push(redis);
      await eventually(async () => expect(await redis.set('k', 'v')).toBe('OK'), 15_000, 100);
      expect(await serverPort(redis)).toBe(group.primaryPort);
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  }, 60_000);
});

interface Service {
  name: string;
  child: ChildProcess;
  output: () => string;
  exits: (number | string)[];
}

function service(name: string, env: Record<string, string>): Service {
  let out = '';
  const exits: (number | string)[] = [];
  const child = spawn(process.execPath, [path.join(ROOT, `services/${name}/dist/main.js`)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.on('exit', (code, signal) => exits.push(code ?? signal ?? 'unknown'));
  return { name, child, output: () => out, exits };
}

async function stopped(s: Service): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code));
    s.child.kill('SIGTERM');
  });
}

describe('the collector and the api through Redis Sentinel', () => {
  const services: Service[] = [];
  let emulator: Emulator | undefined;
  let ws: WebSocket | undefined;

  afterEach(async () => {
    ws?.terminate();
    for (const s of services.splice(0)) s.child.kill('SIGKILL');
    await emulator?.close();
  });

  it('carry on when the primary is killed: no process ends and the dashboard data is fresh again', async () => {
    group = await SentinelGroup.start();
    emulator = await Emulator.start({ scenario: demoScenario() });
    const apiPort = await freePort();
    const redisEnv = { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: group.name };
    services.push(
      service('collector', { ...redisEnv, MEDIAMTX_NODES: `e1=${emulator.url}`, COLLECT_INTERVAL_MS: '500' }),
      service('api', { ...redisEnv, API_PORT: String(apiPort), API_HOST: '127.0.0.1' }),
    );
    await waitForPort(apiPort);
    const latest = async (): Promise<{ node: string; name: string; bytesReceived: number }[]> => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/streams/latest`);
      expect(res.status).toBe(200);
      return (await res.json()) as { node: string; name: string; bytesReceived: number }[];
    };
    const received = (streams: { bytesReceived: number }[]) => streams.reduce((sum, s) => sum + s.bytesReceived, 0);
    await eventually(async () => expect((await latest()).length).toBe(demoScenario().paths.length), 15_000, 200);

    // A dashboard stays connected throughout; every streams message carries the collector's collectedAt.
    let lastCollectedAt = '';
    ws = new WebSocket(`ws://127.0.0.1:${apiPort}/api/ws`);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; collectedAt?: string | null };
      if (message.type.startsWith('streams') && message.collectedAt && message.collectedAt > lastCollectedAt) lastCollectedAt = message.collectedAt;
    });
    await eventually(() => expect(lastCollectedAt).not.toBe(''), 10_000);

    const before = received(await latest());
    await group.killPrimary();
    const killedAt = new Date().toISOString();

    await promoted(group);
    await eventually(
      async () => {
        expect(lastCollectedAt > killedAt).toBe(true);
        expect(received(await latest())).toBeGreaterThan(before);
      },
      RECOVERY_MS,
      200,
    );
    for (const s of services) expect({ service: s.name, exits: s.exits }).toEqual({ service: s.name, exits: [] });
    expect(ws.readyState).toBe(WebSocket.OPEN);

    // Every service logged the loss and the recovery as JSON lines, and stops cleanly.
    for (const s of services) {
      expect(await stopped(s)).toBe(0);
      const lines = s.output().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
      expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/failing/), expect.stringMatching(/recovered/)]));
    }
  }, 90_000);
});
