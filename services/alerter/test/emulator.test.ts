import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { Emulator, demoScenario } from '@mmon/mediamtx-test';
import { AlertStore, FaultLog, connectRedis, connectSubscriber, createLogger, keys, type AlertNotification, type StreamSummary } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { Alerter } from '../src/alerter';
import { compileRuleSet } from '../src/rules';
import { Receiver } from './support';

/** The collector's built entry point (make test builds before it tests). */
const COLLECTOR = path.resolve(__dirname, '../../collector/dist/main.js');
const NAME = 'live/contribution';

describe('end to end: MediaMTX emulator → collector process → Redis → alerter → webhook', () => {
  let server: RedisServer;
  let redis: Redis;
  let emulator: Emulator;
  let collector: ChildProcess;
  let receiver: Receiver;
  let alerter: Alerter;
  let conn: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    emulator = await Emulator.start({ scenario: demoScenario() });
    receiver = await Receiver.start();
    collector = spawn(process.execPath, [COLLECTOR], {
      env: { PATH: process.env.PATH, REDIS_URL: server.url, COLLECT_INTERVAL_MS: '200', MEDIAMTX_NODES: `eu=${emulator.url}` },
      stdio: 'ignore',
    });
    const ruleSet = compileRuleSet(
      {
        rules: [{ name: 'contribution-offline', kind: 'stream.offline', match: { node: 'eu', name: 'live/*' }, for: '400ms', severity: 'crit', notify: ['ops'] }],
        notifiers: [{ name: 'ops', type: 'webhook', url: `${receiver.url}/ops` }],
      },
      'test.yaml',
      {},
      (m) => {
        throw new Error(m);
      },
    );
    const logger = createLogger('alerter-e2e', 'error');
    const faults = new FaultLog(logger);
    conn = connectRedis(server.url, faults);
    alerter = new Alerter(
      { ruleSet, intervalMs: 200, dashboardUrl: null, historyMax: 100, goneRetentionMs: 60_000, retryBaseMs: 100, retryMaxMs: 1000, giveUpMs: 60_000, batchSize: 50 },
      { redis: conn, subscriber: connectSubscriber(server.url, faults), faults, logger },
    );
    alerter.start();
  });

  afterAll(async () => {
    await alerter?.stop();
    conn?.disconnect();
    collector?.kill('SIGKILL');
    await emulator?.close();
    await receiver?.close();
    redis?.disconnect();
    await server?.stop();
  });

  const stream = async (): Promise<StreamSummary | undefined> =>
    (JSON.parse((await redis.get(keys.streamsLatest)) ?? '[]') as StreamSummary[]).find((s) => s.node === 'eu' && s.name === NAME);

  it('a contribution feed that drops and returns: one firing, one resolved', async () => {
    await eventually(async () => expect((await stream())?.online).toBe(true));
    const source = demoScenario().paths.find((p) => p.name === NAME)!.source!;
    emulator.setSource(NAME, null);
    await eventually(() => expect(receiver.requests).toHaveLength(1));
    expect(receiver.requests[0].body).toMatchObject({ status: 'firing', rule: 'contribution-offline', subject: { node: 'eu', name: NAME }, severity: 'crit' });

    emulator.setSource(NAME, source);
    await eventually(() => expect(receiver.requests).toHaveLength(2));
    const store = new AlertStore(redis);
    await eventually(async () => {
      expect(await store.alerts()).toEqual([]);
      expect(await store.outboxSize()).toBe(0);
    });
    expect((receiver.bodies('/ops') as AlertNotification[]).map((b) => [b.status, b.subject.name])).toEqual([
      ['firing', NAME],
      ['resolved', NAME],
    ]);
  });
});
