import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { AlertStore, StreamStore, type AlertNotification } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { Receiver, offline, publish, summary } from './support';

/** The built entry point (make test builds before it tests). */
const MAIN = path.resolve(__dirname, '../dist/main.js');

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function alerter(env: Record<string, string>): Proc {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the alerter process', () => {
  let dir: string;
  let server: RedisServer;
  let redis: Redis;
  let store: StreamStore;
  let alerts: AlertStore;
  let receiver: Receiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerter-process-'));
    server = await RedisServer.start();
    redis = new Redis(server.url);
    store = new StreamStore(redis, 60);
    alerts = new AlertStore(redis);
    receiver = await Receiver.start();
  });

  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
    await redis.flushall();
    receiver.requests.length = 0;
  });

  afterAll(async () => {
    redis?.disconnect();
    await receiver?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function rulesFile(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  const RULES = `
rules:
  - name: contribution-offline
    kind: stream.offline
    match: { name: "live/*" }
    for: 200ms
    severity: crit
    notify: [ops]
notifiers:
  - name: ops
    type: webhook
    url: \${OPS_WEBHOOK_URL}
`;

  function start(file: string, env: Record<string, string> = {}): Proc {
    const p = alerter({ REDIS_URL: server.url, ALERT_RULES_FILE: file, ALERT_INTERVAL_MS: '100', OPS_WEBHOOK_URL: `${receiver.url}/ops?key=secret-key`, ...env });
    children.push(p.child);
    return p;
  }

  const logLines = (p: Proc) =>
    p
      .output()
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { message: string; level: string });

  test.each([
    ['an unknown severity', 'rules:\n  - name: feed\n    kind: stream.offline\n    severity: critical\n', 'rule "feed" (rules[0]): severity: must be one of info, warn, crit'],
    ['a missing threshold', 'rules:\n  - name: busy\n    kind: stream.readers.above\n', 'rule "busy": threshold: stream.readers.above needs a threshold'],
    ['an unset variable', 'rules: []\nnotifiers:\n  - { name: ops, type: slack, url: "${NOT_SET_ANYWHERE}" }\n', 'notifier "ops": url: the environment variable NOT_SET_ANYWHERE is not set'],
    ['broken YAML', 'rules:\n  - name: [\n', 'not valid YAML: '],
  ])('a rules file with %s: one line naming the file, the rule and the field, exit 2, nothing written', async (_what, text, message) => {
    const file = rulesFile(`bad-${_what.replace(/\W/g, '-')}.yaml`, text);
    const res = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, REDIS_URL: server.url, ALERT_RULES_FILE: file }, encoding: 'utf8', timeout: 10000 });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringContaining(`configuration error: ALERT_RULES_FILE: ${file}: ${message}`)]);
    expect(await redis.dbsize()).toBe(0);
  });

  test('restarted while an alert fires: no second firing, resolved still sent', async () => {
    const file = rulesFile('rules.yaml', RULES);
    const first = start(file);
    await publish(store, 'eu', [summary('eu', 'live/a')]);
    await publish(store, 'eu', [offline('eu', 'live/a')]);
    await eventually(() => expect(receiver.bodies('/ops?key=secret-key')).toMatchObject([{ status: 'firing' }]));
    await eventually(async () => expect(await alerts.outboxSize()).toBe(0));
    first.child.kill('SIGKILL');
    await exited(first.child);

    // While no alerter runs the stream stays down; the new process must not fire again.
    const heartbeat = path.join(dir, 'heartbeat');
    const second = start(file, { HEARTBEAT_FILE: heartbeat });
    await eventually(() => expect(logLines(second).map((l) => l.message)).toContain('alerter started'));
    // The timer loop writes the heartbeat after every cycle (the container healthcheck reads it).
    await eventually(() => expect(Date.parse(readFileSync(heartbeat, 'utf8').trim())).toBeGreaterThan(0));
    await eventually(async () => expect(await redis.get('mediamtx:alerts:rules')).not.toBeNull());
    await publish(store, 'eu', [offline('eu', 'live/a')]);
    await publish(store, 'eu', [summary('eu', 'live/a')]);
    await eventually(() => expect(receiver.requests).toHaveLength(2));
    await eventually(async () => {
      expect(await alerts.alerts()).toEqual([]);
      expect(await alerts.outboxSize()).toBe(0);
    });
    expect((receiver.bodies('/ops?key=secret-key') as AlertNotification[]).map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect((await alerts.history(10)).map((e) => e.status)).toEqual(['resolved', 'firing']);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(logLines(second).at(-1)).toMatchObject({ message: 'alerter stopped' });
    expect(first.output() + second.output()).not.toMatch(/secret-key|127\.0\.0\.1:\d+\/ops/);
  });

  test('two replicas against one Redis: every notification sent once', async () => {
    const file = rulesFile('rules.yaml', RULES);
    const a = start(file);
    const b = start(file);
    await eventually(() => {
      for (const p of [a, b]) expect(logLines(p).map((l) => l.message)).toContain('alerter started');
    });
    const names = Array.from({ length: 10 }, (_, i) => `live/cam${i}`);
    await publish(store, 'eu', names.map((n) => summary('eu', n)));
    await publish(store, 'eu', names.map((n) => offline('eu', n)));
    await eventually(() => expect(receiver.requests).toHaveLength(10));
    await publish(store, 'eu', names.map((n) => summary('eu', n)));
    await eventually(() => expect(receiver.requests).toHaveLength(20));
    await eventually(async () => {
      expect(await alerts.alerts()).toEqual([]);
      expect(await alerts.outboxSize()).toBe(0);
    });
    const bodies = receiver.bodies('/ops?key=secret-key') as AlertNotification[];
    for (const status of ['firing', 'resolved']) {
      expect(bodies.filter((x) => x.status === status).map((x) => x.subject.name).sort()).toEqual([...names].sort());
    }
    expect(await alerts.history(100)).toHaveLength(20);
    // Between them the two processes sent each notification once (their log lines may arrive a little later).
    const sent = () => [a, b].map((p) => logLines(p).filter((l) => l.message === 'notification sent').length).reduce((x, y) => x + y);
    await eventually(() => expect(sent()).toBe(20));
  });
});
