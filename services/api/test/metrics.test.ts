import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { AlertStore, StreamStore, alertId, createLogger, keys, type AlertRecord, type CollectorStatus, type StreamSummary } from '@mmon/shared';
import { collectorStatus, eventually, useRedis, type UsedRedis } from '@mmon/test-support';
import { summary } from './fixtures';
import { parseExposition, valueOf, type Exposition } from './exposition';
import { startApi, type RunningApi } from '../src/server';
import { CycleCounter } from '../src/routes/metrics';

const MIB = 1024 * 1024;

async function scrape(api: RunningApi): Promise<{ text: string; exp: Exposition; contentType: string }> {
  const res = await request(`http://127.0.0.1:${api.port}`).get('/metrics');
  expect(res.status).toBe(200);
  return { text: res.text, exp: parseExposition(res.text), contentType: res.headers['content-type'] };
}

/**
 * useRedis() and the api on that redis-server, for the calling describe block: `api` is set once
 * the beforeAll ran, and closes before the server stops.
 */
function useApi(): UsedRedis & { api: RunningApi } {
  // declared before useRedis(): after-hooks run in the order they are declared
  afterAll(() => used.api.close());
  const used = useRedis() as UsedRedis & { api: RunningApi };
  beforeAll(async () => {
    used.api = await startApi({ redis: used.url, port: 0, host: '127.0.0.1', logger: createLogger('t', 'error') });
  });
  return used;
}

describe('/metrics', () => {
  const db = useApi();

  test('exports streams, nodes, host and process metrics in base units, one metric per quantity, in a format promtool accepts', async () => {
    const streams: StreamSummary[] = [
      summary('n1', 'cam/1"x', {
        readers: 2,
        srt10s: { loss: 3, retrans: 5, drop: 1, belated: 2, undecrypt: 0 },
        health: { level: 'warn', reasons: ['SRT loss 3 packets in 10 s'] },
      }),
      summary('n1', 'off', {
        online: false,
        readers: 0,
        bytesReceived: 0,
        bytesSent: 0,
        rtt: null,
        recvRateMbps: null,
        sendRateMbps: null,
        linkCapacityMbps: null,
        srt10s: null,
        health: { level: 'crit', reasons: ['offline'] },
      }),
      summary('n1', 'back\\slash\nline'),
    ];
    const status = collectorStatus('n1', { intervalMs: 60000, lastCycleMs: 120, mediamtxVersion: 'v1.20.1', streams: 3 });
    await new StreamStore(db.redis, 60).publishNode(status, JSON.stringify(streams), { mode: 'keep' }, new Date().toISOString(), Date.now());
    const sample = {
      cpu_percent: 12.5,
      ram_used_mb: 800,
      ram_total_mb: 4000,
      swap_used_mb: 0,
      swap_total_mb: 1024,
      net_in_mbps: 2.5,
      net_out_mbps: null,
      load_avg: [0.1, 0.2, 0.3],
      temperature_c: null,
      disks: [{ mount: '/', size_mb: 1000, used_mb: 250.5, percent: 25 }],
      sampledAt: '2026-11-24T05:00:00.000Z',
    };
    await db.redis.set(keys.systemLatest, JSON.stringify(sample));
    await db.redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: new Date().toISOString() }));

    const { text, exp, contentType } = await eventually(async () => {
      const s = await scrape(db.api);
      expect(valueOf(s.exp, 'mediamtx_monitor_host_load15')).toBe(0.3);
      expect(valueOf(s.exp, 'mediamtx_monitor_node_up', { node: 'n1' })).toBe(1);
      expect(valueOf(s.exp, 'mediamtx_monitor_stream_online', { node: 'n1', name: 'off' })).toBe(0);
      return s;
    });
    expect(contentType).toMatch(/^text\/plain/);
    const cam = { node: 'n1', name: 'cam/1"x' };
    const off = { node: 'n1', name: 'off' };
    const v = (name: string, labels: Record<string, string> = {}) => valueOf(exp, `mediamtx_monitor_${name}`, labels);

    // Streams: bytes as counters, rates in bytes/s, RTT in seconds, SRT's last 10 s as gauges.
    expect(exp.types.get('mediamtx_monitor_stream_received_bytes_total')).toBe('counter');
    expect(exp.types.get('mediamtx_monitor_stream_sent_bytes_total')).toBe('counter');
    expect(v('stream_received_bytes_total', cam)).toBe(123456);
    expect(v('stream_sent_bytes_total', cam)).toBe(654321);
    expect(v('stream_received_bytes_total', off)).toBe(0);
    expect(v('stream_online', cam)).toBe(1);
    expect(v('stream_readers', cam)).toBe(2);
    expect(v('stream_receive_bytes_per_second', cam)).toBeCloseTo(242500, 6);
    expect(v('stream_send_bytes_per_second', cam)).toBeCloseTo(487500, 6);
    expect(v('stream_srt_rtt_seconds', cam)).toBe(0.002);
    expect(v('stream_srt_link_capacity_bytes_per_second', cam)).toBeCloseTo(226072500, 3);
    expect(v('stream_srt_lost_packets_last_10s', cam)).toBe(3);
    expect(v('stream_srt_retransmitted_packets_last_10s', cam)).toBe(5);
    expect(v('stream_srt_dropped_packets_last_10s', cam)).toBe(1);
    expect(v('stream_srt_belated_packets_last_10s', cam)).toBe(2);
    expect(v('stream_srt_undecrypted_packets_last_10s', cam)).toBe(0);
    expect(exp.types.get('mediamtx_monitor_stream_srt_lost_packets_last_10s')).toBe('gauge');
    expect(v('stream_health', cam)).toBe(1);
    expect(v('stream_health', off)).toBe(2);
    // What the offline stream does not have is left out, not exported as 0.
    for (const name of ['stream_srt_rtt_seconds', 'stream_receive_bytes_per_second', 'stream_srt_lost_packets_last_10s']) expect(v(name, off)).toBeUndefined();
    expect(text).toContain('mediamtx_monitor_stream_online{node="n1",name="cam/1\\"x"} 1');
    expect(text).toContain('mediamtx_monitor_stream_online{node="n1",name="back\\\\slash\\nline"} 1');
    expect(v('stream_srt_rtt_seconds', { node: 'n1', name: 'back\\slash\nline' })).toBe(0.002);
    // Bounded cardinality: every stream series is labelled node and name, nothing else.
    const streamSamples = exp.samples.filter((s) => s.name.startsWith('mediamtx_monitor_stream_'));
    expect(streamSamples.length).toBe(14 + 5 + 14); // the offline stream: online, readers, both byte counters, health
    for (const s of streamSamples) expect(Object.keys(s.labels).sort()).toEqual(['name', 'node']);

    // Nodes: up, MediaMTX version, the last cycle and the cycles seen.
    expect(v('mediamtx_info', { node: 'n1', version: 'v1.20.1' })).toBe(1);
    expect(v('collector_last_cycle_seconds', { node: 'n1' })).toBe(0.12);
    expect(exp.types.get('mediamtx_monitor_collector_cycle_duration_seconds')).toBe('histogram');
    expect(v('collector_cycle_duration_seconds_count', { node: 'n1' })).toBe(1);
    expect(v('collector_cycle_duration_seconds_bucket', { node: 'n1', le: '0.1' })).toBe(0);
    expect(v('collector_cycle_duration_seconds_bucket', { node: 'n1', le: '0.25' })).toBe(1);
    expect(exp.types.get('mediamtx_monitor_collector_failures_total')).toBe('counter');
    expect(v('collector_failures_total', { node: 'n1' })).toBe(0);

    // Host: one metric per quantity, in bytes, bytes/s and ratios; what sysmon lacks is left out.
    expect(text).not.toMatch(/\{metric=/);
    expect(v('host_cpu_usage_ratio')).toBe(0.125);
    expect(v('host_memory_used_bytes')).toBe(800 * MIB);
    expect(v('host_memory_total_bytes')).toBe(4000 * MIB);
    expect(v('host_swap_used_bytes')).toBe(0);
    expect(v('host_swap_total_bytes')).toBe(1024 * MIB);
    expect(v('host_network_receive_bytes_per_second')).toBe(312500);
    expect(v('host_network_transmit_bytes_per_second')).toBeUndefined();
    expect(v('host_temperature_celsius')).toBeUndefined();
    expect([v('host_load1'), v('host_load5'), v('host_load15')]).toEqual([0.1, 0.2, 0.3]);
    expect(v('host_filesystem_size_bytes', { mount: '/' })).toBe(1000 * MIB);
    expect(v('host_filesystem_used_bytes', { mount: '/' })).toBe(250.5 * MIB);
    expect(v('host_sample_timestamp_seconds')).toBe(Date.parse(sample.sampledAt) / 1000);

    // prom-client's process metrics.
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(exp.types.has(name)).toBe(true);
    }

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  test('a host sample that is not JSON leaves the host metrics out and the rest answers', async () => {
    await db.redis.set(keys.systemLatest, 'not json');
    await db.redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: new Date().toISOString() }));
    const { exp } = await eventually(async () => {
      const s = await scrape(db.api);
      expect(valueOf(s.exp, 'mediamtx_monitor_host_load1')).toBeUndefined();
      return s;
    });
    expect(valueOf(exp, 'mediamtx_monitor_stream_online', { node: 'n1', name: 'off' })).toBe(0);
  });
});

/** An alert of rule `rule` as the alerter stores it. */
function alert(rule: string, severity: AlertRecord['severity'], state: AlertRecord['state'], subject: AlertRecord['subject']): AlertRecord {
  return {
    id: alertId(rule, subject),
    rule,
    kind: 'stream.offline',
    severity,
    subject,
    state,
    activeAt: '2026-12-01T10:00:00.000Z',
    firedAt: state === 'firing' ? '2026-12-01T10:00:10.000Z' : null,
    clearSince: null,
    seenAt: '2026-12-01T10:00:10.000Z',
    value: null,
    threshold: null,
    summary: 'x',
    notifiedAt: null,
    lastJobs: {},
  };
}

describe('alert metrics', () => {
  const db = useApi();

  test('count pending and firing alerts per rule (0 for a rule without alerts) and notifications per notifier, in a format promtool accepts', async () => {
    const store = new AlertStore(db.redis);
    // No alerter has started: the families are there (once the api reaches Redis), without series.
    let { exp } = await eventually(async () => {
      const got = await scrape(db.api);
      expect(got.exp.types.get('mediamtx_monitor_alerts')).toBe('gauge');
      return got;
    });
    expect(exp.types.get('mediamtx_monitor_alert_notifications_total')).toBe('counter');
    expect(exp.samples.filter((s) => s.name.startsWith('mediamtx_monitor_alert'))).toEqual([]);

    const rule = (name: string, severity: AlertRecord['severity'], notify: string[]) => ({
      name,
      kind: 'stream.offline',
      match: { node: '*', name: '*' },
      threshold: null,
      forMs: 0,
      keepFiringForMs: 0,
      repeatEveryMs: null,
      severity,
      notify,
    });
    await store.saveRules({
      loadedAt: new Date().toISOString(),
      source: null,
      rules: [rule('off', 'crit', ['ops']), rule('quiet', 'warn', ['chat']), rule('odd"rule', 'info', [])],
      notifiers: [
        { name: 'ops', type: 'webhook' },
        { name: 'chat', type: 'slack' },
      ],
    });
    const records = [
      alert('off', 'crit', 'firing', { node: 'eu', name: 'a' }),
      alert('off', 'crit', 'firing', { node: 'eu', name: 'b' }),
      alert('off', 'crit', 'pending', { node: 'us', name: 'a' }),
      alert('odd"rule', 'info', 'pending', {}),
    ];
    await store.apply(
      records.map((next) => ({ id: next.id, expect: null, next, event: null, jobs: [], stateChanged: true })),
      100,
      new Date().toISOString(),
    );
    await db.redis.hset(keys.alertNotifier('ops'), { sent: '3', failed: '2', lastError: 'HTTP 500', lastErrorAt: new Date().toISOString() });

    const v = (e: Exposition, name: string, labels: Record<string, string>) => valueOf(e, `mediamtx_monitor_${name}`, labels);
    const s = await eventually(async () => {
      const got = await scrape(db.api);
      expect(v(got.exp, 'alerts', { rule: 'off', severity: 'crit', state: 'firing' })).toBe(2);
      return got;
    });
    exp = s.exp;
    expect(v(exp, 'alerts', { rule: 'off', severity: 'crit', state: 'pending' })).toBe(1);
    expect(v(exp, 'alerts', { rule: 'quiet', severity: 'warn', state: 'pending' })).toBe(0);
    expect(v(exp, 'alerts', { rule: 'quiet', severity: 'warn', state: 'firing' })).toBe(0);
    expect(v(exp, 'alerts', { rule: 'odd"rule', severity: 'info', state: 'pending' })).toBe(1);
    expect(v(exp, 'alerts', { rule: 'odd"rule', severity: 'info', state: 'firing' })).toBe(0);
    expect(exp.samples.filter((x) => x.name === 'mediamtx_monitor_alerts')).toHaveLength(6);
    expect(v(exp, 'alert_notifications_total', { notifier: 'ops', result: 'sent' })).toBe(3);
    expect(v(exp, 'alert_notifications_total', { notifier: 'ops', result: 'failed' })).toBe(2);
    expect(v(exp, 'alert_notifications_total', { notifier: 'chat', result: 'sent' })).toBe(0);
    expect(v(exp, 'alert_notifications_total', { notifier: 'chat', result: 'failed' })).toBe(0);
    // Notifier URLs never reach Redis' rules, let alone the exposition; nothing but names.
    expect(s.text).not.toMatch(/https?:/);

    const check = spawnSync('promtool', ['check', 'metrics'], { input: s.text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);

    // A delivery counted in Redis shows at the next scrape; a resolved alert leaves its rule at 0.
    await db.redis.hincrby(keys.alertNotifier('ops'), 'sent', 1);
    const [first, second] = records;
    await store.apply(
      [first, second].map((prev) => ({ id: prev.id, expect: JSON.stringify(prev), next: null, event: null, jobs: [], stateChanged: true })),
      100,
      new Date().toISOString(),
    );
    await eventually(async () => expect(v((await scrape(db.api)).exp, 'alerts', { rule: 'off', severity: 'crit', state: 'firing' })).toBe(0));
    expect(v((await scrape(db.api)).exp, 'alert_notifications_total', { notifier: 'ops', result: 'sent' })).toBe(4);
  });
});

describe('collector cycles', () => {
  const db = useApi();

  test('every cycle a collector writes is observed once; failed ones count as failures; a node that left is dropped', async () => {
    const store = new StreamStore(db.redis, 60);
    const v = async (name: string) => valueOf((await scrape(db.api)).exp, `mediamtx_monitor_${name}`, { node: 'n2' });
    const t0 = new Date(Date.now() - 1000).toISOString();
    await store.keepNode(
      collectorStatus('n2', { intervalMs: 200, stale: true, lastSuccessAt: null, lastAttemptAt: t0, lastError: 'connect ECONNREFUSED', lastCycleMs: 30 }),
    );
    await eventually(async () => expect(await v('collector_cycle_duration_seconds_count')).toBe(1));
    expect(await v('collector_failures_total')).toBe(1);
    expect(await v('node_up')).toBe(0);

    const t1 = new Date().toISOString();
    const ok = collectorStatus('n2', { intervalMs: 200, lastSuccessAt: t1, lastAttemptAt: t1, lastCycleMs: 80 });
    await store.publishNode(ok, JSON.stringify([summary('n2', 'a')]), { mode: 'keep' }, t1, Date.now());
    await eventually(async () => expect(await v('collector_cycle_duration_seconds_count')).toBe(2));
    const { exp } = await scrape(db.api);
    expect(valueOf(exp, 'mediamtx_monitor_collector_failures_total', { node: 'n2' })).toBe(1);
    expect(valueOf(exp, 'mediamtx_monitor_collector_cycle_duration_seconds_sum', { node: 'n2' })).toBeCloseTo(0.11, 9);
    expect(valueOf(exp, 'mediamtx_monitor_collector_cycle_duration_seconds_bucket', { node: 'n2', le: '0.05' })).toBe(1);
    expect(valueOf(exp, 'mediamtx_monitor_collector_cycle_duration_seconds_bucket', { node: 'n2', le: '0.1' })).toBe(2);

    await db.redis.srem(keys.nodes, 'n2');
    await eventually(async () => expect(await v('collector_cycle_duration_seconds_count')).toBeUndefined());
    expect(await v('collector_failures_total')).toBeUndefined();
    expect(await v('node_up')).toBeUndefined();
  });
});

describe('CycleCounter', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 5, 0, s)).toISOString();
  const ok = (node: string, s: number) => collectorStatus(node, { lastAttemptAt: at(s), lastSuccessAt: at(s), lastCycleMs: s });
  const failed = (node: string, s: number) => collectorStatus(node, { lastAttemptAt: at(s), lastSuccessAt: at(0), lastError: 'timeout', stale: true });

  test('counts each cycle once by its attempt time, tells failures, forgets nodes that left', () => {
    const seen: string[] = [];
    const counter = new CycleCounter(
      (s: CollectorStatus, fail: boolean) => seen.push(`${s.node}@${s.lastAttemptAt === null ? '-' : new Date(s.lastAttemptAt).getUTCSeconds()}${fail ? ' failed' : ''}`),
      (node: string) => seen.push(`${node} gone`),
    );
    counter.observe([ok('a', 1), ok('b', 1)]);
    counter.observe([ok('a', 1), ok('b', 1)]); // read again: nothing new
    counter.observe([failed('a', 2), ok('b', 1)]);
    counter.observe([ok('a', 1)]); // an older status read late, and b left
    counter.observe([ok('a', 3), collectorStatus('c', { lastAttemptAt: null, lastSuccessAt: null })]); // c has not tried yet
    counter.observe([ok('a', 3), ok('b', 4)]); // b is back
    expect(seen).toEqual(['a@1', 'b@1', 'a@2 failed', 'b gone', 'a@3', 'b@4']);
  });
});
