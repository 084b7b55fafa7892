import Redis from 'ioredis';
import {
  AlertStore,
  FaultLog,
  StreamStore,
  connectRedis,
  connectSubscriber,
  createLogger,
  keys,
  type AlertNotification,
} from '@mmon/shared';
import { RedisServer, collectorStatus, eventually, freePort } from '@mmon/test-support';
import { Alerter } from '../src/alerter';
import { compileRuleSet } from '../src/rules';
import { Receiver, offline, publish, summary } from './support';

describe('the alerter against a real redis-server, summaries from StreamStore.publishNode and real HTTP receivers', () => {
  let server: RedisServer;
  let redis: Redis;
  let listener: Redis;
  let store: StreamStore;
  let alerts: AlertStore;
  let receiver: Receiver;
  const updates: { kind: string; at: string }[] = [];
  const logs: Record<string, unknown>[] = [];
  let running: { alerter: Alerter; connections: Redis[] } | undefined;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    listener = new Redis(server.url);
    await listener.subscribe(keys.updates);
    listener.on('message', (_c, m: string) => updates.push(JSON.parse(m)));
    store = new StreamStore(redis, 60);
    alerts = new AlertStore(redis);
    receiver = await Receiver.start();
  });

  afterEach(async () => {
    await stopAlerter();
    await redis.flushall();
    receiver.requests.length = 0;
    receiver.answers.length = 0;
    updates.length = 0;
    logs.length = 0;
  });

  afterAll(async () => {
    redis?.disconnect();
    listener?.disconnect();
    await receiver?.close();
    await server?.stop();
  });

  async function startAlerter(doc: object, env: Record<string, string> = {}): Promise<void> {
    const ruleSet = compileRuleSet(doc, 'test.yaml', env, (m) => {
      throw new Error(m);
    });
    const logger = createLogger('alerter-test', 'debug');
    logger.transports.forEach((t) => (t.silent = true));
    logger.on('data', (info) => logs.push(info));
    const faults = new FaultLog(logger);
    const conn = connectRedis(server.url, faults);
    const subscriber = connectSubscriber(server.url, faults);
    const alerter = new Alerter(
      { ruleSet, intervalMs: 100, dashboardUrl: 'http://monitor.example:8080/', historyMax: 50, goneRetentionMs: 60_000, retryBaseMs: 50, retryMaxMs: 1000, giveUpMs: 60_000, batchSize: 50 },
      { redis: conn, subscriber, faults, logger },
    );
    await new Promise((resolve) => conn.once('ready', resolve));
    alerter.start();
    // Subscribed: the test's listener and the alerter.
    await eventually(async () => expect(await redis.pubsub('NUMSUB', keys.updates)).toEqual([keys.updates, 2]));
    running = { alerter, connections: [conn] };
  }

  async function stopAlerter(): Promise<void> {
    if (!running) return;
    await running.alerter.stop();
    running.connections.forEach((c) => c.disconnect());
    running = undefined;
  }

  /** Nothing pending or firing, nothing waiting for delivery: no further notification can come. */
  async function settled(): Promise<void> {
    await eventually(async () => {
      expect(await alerts.alerts()).toEqual([]);
      expect(await alerts.outboxSize()).toBe(0);
    });
  }

  it('a stream that goes offline and returns: firing then resolved, once each, in every notifier format', async () => {
    await startAlerter(
      {
        rules: [{ name: 'contribution-offline', kind: 'stream.offline', match: { name: 'live/*' }, for: '300ms', severity: 'crit', notify: ['hook', 'slack', 'discord', 'ntfy', 'teams'] }],
        notifiers: [
          { name: 'hook', type: 'webhook', url: '${HOOK_URL}' },
          { name: 'slack', type: 'slack', url: `${receiver.url}/slack/T000/B000/XXXX` },
          { name: 'discord', type: 'discord', url: `${receiver.url}/discord/api/webhooks/1/tok` },
          { name: 'ntfy', type: 'ntfy', url: `http://mon:pa55w0rd@${receiver.url.slice('http://'.length)}/ntfy/mediamtx-alerts` },
          { name: 'teams', type: 'teams', url: `${receiver.url}/teams/workflows/abc?sig=s3cret` },
        ],
      },
      { HOOK_URL: `${receiver.url}/hook?token=t0ken` },
    );
    await publish(store, 'eu', [summary('eu', 'live/cam_1'), summary('eu', 'vod/x')]);
    const since = new Date().toISOString();
    await publish(store, 'eu', [offline('eu', 'live/cam_1', since), offline('eu', 'vod/x', since)]);
    await eventually(() => expect(receiver.requests).toHaveLength(5));
    expect(await alerts.history(10)).toMatchObject([{ status: 'firing', rule: 'contribution-offline', subject: { node: 'eu', name: 'live/cam_1' } }]);
    expect(updates.filter((u) => u.kind === 'alerts').length).toBeGreaterThan(0);

    await publish(store, 'eu', [summary('eu', 'live/cam_1'), offline('eu', 'vod/x', since)]);
    await eventually(() => expect(receiver.requests).toHaveLength(10));
    await settled();

    const [firing, resolved] = receiver.bodies('/hook?token=t0ken') as AlertNotification[];
    const summaryFiring = `CRIT contribution-offline: stream live/cam_1 on node eu: offline since ${since}`;
    expect(firing).toEqual({
      status: 'firing',
      rule: 'contribution-offline',
      kind: 'stream.offline',
      severity: 'crit',
      subject: { node: 'eu', name: 'live/cam_1' },
      value: null,
      threshold: null,
      startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      summary: summaryFiring,
      dashboardUrl: 'http://monitor.example:8080/',
    });
    expect(resolved).toEqual({ ...firing, status: 'resolved', endsAt: expect.any(String), summary: expect.stringMatching(/^RESOLVED contribution-offline: stream live\/cam_1 on node eu: offline ended after \d/) });
    expect(Date.parse(resolved.endsAt!)).toBeGreaterThanOrEqual(Date.parse(firing.startsAt));
    const summaryResolved = resolved.summary;

    expect(receiver.bodies('/slack/T000/B000/XXXX')).toEqual([
      { text: `FIRING crit: contribution-offline\n${summaryFiring}\n<http://monitor.example:8080/|Open the dashboard>` },
      { text: `RESOLVED: contribution-offline\n${summaryResolved}\n<http://monitor.example:8080/|Open the dashboard>` },
    ]);

    const md = (s: string) => s.replace(/_/g, '\\_');
    const facts = (n: AlertNotification) => [
      ['Subject', 'stream live/cam_1 on node eu'],
      ['Severity', 'crit'],
      ['Kind', 'stream.offline'],
      ['Since', n.startsAt],
      ...(n.endsAt ? [['Ended', n.endsAt]] : []),
    ];
    expect(receiver.bodies('/discord/api/webhooks/1/tok')).toEqual(
      [firing, resolved].map((n) => ({
        content: md(`${n.status === 'firing' ? 'FIRING crit' : 'RESOLVED'}: contribution-offline: ${n.summary}`),
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: n.status === 'firing' ? 'FIRING crit: contribution-offline' : 'RESOLVED: contribution-offline',
            description: md(n.summary),
            color: 0xd32f2f,
            url: 'http://monitor.example:8080/',
            timestamp: n.endsAt ?? n.startsAt,
            fields: facts(n).map(([name, value]) => ({ name, value: md(value), inline: true })),
          },
        ],
      })),
    );

    // ntfy: JSON publishing to the server's root, topic from the URL's path, credentials as a header.
    const ntfy = receiver.requests.filter((r) => r.path === '/ntfy/');
    expect(ntfy.map((r) => r.body)).toEqual([
      { topic: 'mediamtx-alerts', title: 'FIRING crit: contribution-offline', message: summaryFiring, priority: 5, tags: ['rotating_light', 'crit'], click: 'http://monitor.example:8080/' },
      { topic: 'mediamtx-alerts', title: 'RESOLVED: contribution-offline', message: summaryResolved, priority: 5, tags: ['white_check_mark', 'crit'], click: 'http://monitor.example:8080/' },
    ]);
    expect(ntfy[0].headers.authorization).toBe(`Basic ${Buffer.from('mon:pa55w0rd').toString('base64')}`);

    expect(receiver.bodies('/teams/workflows/abc?sig=s3cret')).toEqual(
      [firing, resolved].map((n) => ({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: n.status === 'firing' ? 'FIRING crit: contribution-offline' : 'RESOLVED: contribution-offline',
                  weight: 'Bolder',
                  size: 'Medium',
                  color: n.status === 'firing' ? 'Attention' : 'Good',
                  wrap: true,
                },
                { type: 'TextBlock', text: md(n.summary), wrap: true },
                { type: 'FactSet', facts: facts(n).map(([title, value]) => ({ title, value: md(value) })) },
              ],
              actions: [{ type: 'Action.OpenUrl', title: 'Open the dashboard', url: 'http://monitor.example:8080/' }],
            },
          },
        ],
      })),
    );
    for (const r of receiver.requests) expect(r.headers['content-type']).toBe('application/json');

    expect((await alerts.history(10)).map((e) => e.status)).toEqual(['resolved', 'firing']);
    const figures = await alerts.notifierStatuses(['hook', 'slack', 'discord', 'ntfy', 'teams'].map((name) => ({ name, type: 'x' })));
    expect(figures.map((f) => [f.name, f.sent, f.failed, f.lastError])).toEqual(['hook', 'slack', 'discord', 'ntfy', 'teams'].map((n) => [n, 2, 0, null]));
    // Notifier URLs carry secrets: never in a log line, nor in what the api serves.
    const text = JSON.stringify(logs) + JSON.stringify(await alerts.rules());
    expect(text).not.toMatch(/t0ken|pa55w0rd|s3cret|XXXX|\/tok|127\.0\.0\.1/);
    expect(logs.filter((l) => l.message === 'notification sent')).toHaveLength(10);
  });

  it('a mass outage: every webhook alert alone, Slack a few messages that count every alert once', async () => {
    await startAlerter({
      rules: [{ name: 'off', kind: 'stream.offline', severity: 'crit', notify: ['hook', 'slack'] }],
      notifiers: [
        { name: 'hook', type: 'webhook', url: `${receiver.url}/hook` },
        { name: 'slack', type: 'slack', url: `${receiver.url}/slack` },
      ],
    });
    const names = Array.from({ length: 120 }, (_, i) => `live/cam_${i}`);
    await publish(store, 'eu', names.map((n) => summary('eu', n)));
    await publish(store, 'eu', names.map((n) => offline('eu', n)));
    const counted = (status: string) =>
      (receiver.bodies('/slack') as { text: string }[])
        .map((b) => new RegExp(`(\\d+) ${status}`).exec(b.text.split('\n')[0]))
        .reduce((sum, m) => sum + (m === null ? 0 : Number(m[1])), 0);
    await eventually(() => {
      expect(receiver.bodies('/hook')).toHaveLength(120);
      expect(counted('firing')).toBe(120);
    }, 15_000);
    const firingMessages = receiver.bodies('/slack').length;
    // Three deliveries of at most 50 at best; never one per stream.
    expect(firingMessages).toBeGreaterThanOrEqual(3);
    expect(firingMessages).toBeLessThanOrEqual(8);
    expect(new Set((receiver.bodies('/hook') as AlertNotification[]).map((n) => n.subject.name))).toEqual(new Set(names));

    await publish(store, 'eu', names.map((n) => summary('eu', n)));
    await eventually(() => {
      expect(receiver.bodies('/hook')).toHaveLength(240);
      expect(counted('resolved')).toBe(120);
    }, 15_000);
    await settled();
    const [hook, slack] = await alerts.notifierStatuses([
      { name: 'hook', type: 'webhook' },
      { name: 'slack', type: 'slack' },
    ]);
    expect(hook).toMatchObject({ sent: 240, failed: 0 });
    expect(slack).toMatchObject({ sent: 240, failed: 0 });
  });

  it('a condition that flaps faster than `for` sends nothing', async () => {
    await startAlerter({
      rules: [{ name: 'off', kind: 'stream.offline', for: '5s', notify: ['hook'] }],
      notifiers: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
    });
    await publish(store, 'eu', [summary('eu', 'a')]);
    await publish(store, 'eu', [offline('eu', 'a')]);
    await eventually(async () => expect(await alerts.alerts()).toMatchObject([{ state: 'pending', rule: 'off', subject: { node: 'eu', name: 'a' } }]));
    expect(updates.filter((u) => u.kind === 'alerts').length).toBeGreaterThan(0);
    await publish(store, 'eu', [summary('eu', 'a')]);
    await settled();
    expect(receiver.requests).toEqual([]);
    expect(await alerts.history(10)).toEqual([]);
  });

  it('a receiver answering 500, then 429 with Retry-After, then 200: the same body retried, the last error kept', async () => {
    receiver.answers.push({ status: 500 }, { status: 429, headers: { 'retry-after': '1' } });
    await startAlerter({
      rules: [{ name: 'off', kind: 'stream.offline', notify: ['hook'] }],
      notifiers: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
    });
    await publish(store, 'eu', [summary('eu', 'a')]);
    await publish(store, 'eu', [offline('eu', 'a')]);
    await eventually(() => expect(receiver.requests).toHaveLength(3), 15_000);
    const [first, second, third] = receiver.requests;
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(third.at - second.at).toBeGreaterThanOrEqual(1000);
    await eventually(async () => expect(await alerts.outboxSize()).toBe(0));
    const [figures] = await alerts.notifierStatuses([{ name: 'hook', type: 'webhook' }]);
    expect(figures).toMatchObject({ sent: 1, failed: 2, lastError: 'HTTP 429 Too Many Requests', lastSuccessAt: expect.any(String) });
    expect(await alerts.alerts()).toMatchObject([{ state: 'firing' }]);
  });

  it('a receiver that is down does not hold up evaluation; a 4xx is given up at once', async () => {
    receiver.answers.push({ status: 404 });
    const closed = await freePort();
    await startAlerter({
      rules: [
        { name: 'off', kind: 'stream.offline', notify: ['dead', 'gone'] },
        { name: 'busy', kind: 'stream.readers.above', threshold: 5, notify: [] },
      ],
      notifiers: [
        { name: 'dead', type: 'webhook', url: `http://127.0.0.1:${closed}/nothing-listens` },
        { name: 'gone', type: 'webhook', url: `${receiver.url}/gone` },
      ],
    });
    await publish(store, 'eu', [summary('eu', 'a'), summary('eu', 'b')]);
    await publish(store, 'eu', [offline('eu', 'a'), summary('eu', 'b')]);
    await eventually(async () => {
      const [dead, gone] = await alerts.notifierStatuses([
        { name: 'dead', type: 'webhook' },
        { name: 'gone', type: 'webhook' },
      ]);
      expect(dead.lastError).toBe('network error: ECONNREFUSED');
      expect(gone).toMatchObject({ sent: 0, failed: 1, lastError: 'HTTP 404 Not Found' });
    });
    await publish(store, 'eu', [offline('eu', 'a'), summary('eu', 'b', { readers: 9 })]);
    await eventually(async () => expect((await alerts.alerts()).map((a) => a.rule).sort()).toEqual(['busy', 'off']));
    expect(receiver.requests).toHaveLength(1);
    expect(await alerts.outboxSize()).toBe(1);
  });

  it('node and host kinds: a stale node and a hot CPU fire with their subject and value', async () => {
    await startAlerter({
      rules: [
        { name: 'node-down', kind: 'node.stale', match: { node: 'e*' }, notify: ['hook'] },
        { name: 'cpu', kind: 'host.cpu.above', threshold: 90, severity: 'info', notify: ['hook'] },
      ],
      notifiers: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
    });
    await store.keepNode(collectorStatus('eu', { stale: true, lastError: 'connect ECONNREFUSED' }));
    await store.keepNode(collectorStatus('us', { stale: true }));
    const sample = { hostname: 'mon-1', cpu_percent: 97.5, ram_used_mb: 1, ram_total_mb: 2, temperature_c: null, disks: [], sampledAt: new Date().toISOString(), intervalMs: 5000 };
    await redis.set(keys.systemLatest, JSON.stringify(sample));
    await redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: sample.sampledAt }));
    await eventually(() => expect(receiver.requests).toHaveLength(2));
    const bodies = (receiver.bodies('/hook') as AlertNotification[]).sort((a, b) => a.rule.localeCompare(b.rule));
    expect(bodies).toMatchObject([
      { status: 'firing', rule: 'cpu', kind: 'host.cpu.above', severity: 'info', subject: {}, value: 97.5, threshold: 90, summary: 'INFO cpu: host mon-1: CPU 97.5 % (above 90 %)' },
      { status: 'firing', rule: 'node-down', kind: 'node.stale', severity: 'warn', subject: { node: 'eu' }, threshold: null },
    ]);
  });
});
