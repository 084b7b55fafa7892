import { spawnSync } from 'node:child_process';
import request from 'supertest';
import Redis from 'ioredis';
import { StreamStore, createLogger, keys, type StreamSummary } from '@mmon/shared';
import { RedisServer, collectorStatus, eventually } from '@mmon/test-support';
import { summary } from './fixtures';
import { startApi, type RunningApi } from '../src/server';

const stream = (name: string, over: Partial<StreamSummary> = {}) =>
  summary('n1', name, { readers: 2, health: { level: 'warn', reasons: ['SRT loss 2 packets in 10 s'] }, ...over });

const status = collectorStatus('n1', { intervalMs: 60000, streams: 2, readers: 2 });

describe('/metrics', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger: createLogger('t', 'error') });
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  test('exports streams, node staleness and host metrics in a format promtool accepts', async () => {
    const streams = [stream('cam/1"x'), stream('off', { online: false, rtt: null, recvRateMbps: null, linkCapacityMbps: null, health: { level: 'crit', reasons: [] } })];
    await new StreamStore(redis, 60).publishNode(status, JSON.stringify(streams), { mode: 'keep' }, new Date().toISOString(), Date.now());
    await redis.set(keys.systemLatest, JSON.stringify({ cpu_percent: 12.5, ram_used_mb: 800, ram_total_mb: 4000, load_avg: [0.1, 0.2, 0.3] }));
    await redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: new Date().toISOString() }));
    const res = await eventually(async () => {
      const r = await request(`http://127.0.0.1:${api.port}`).get('/metrics');
      expect(r.text).toContain('mediamtx_monitor_host{metric="cpu_percent"} 12.5');
      return r;
    });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.text;
    expect(text).toContain('mediamtx_monitor_stream_online{node="n1",name="cam/1\\"x"} 1');
    expect(text).toContain('mediamtx_monitor_stream_online{node="n1",name="off"} 0');
    expect(text).toContain('mediamtx_monitor_stream_srt_rtt_seconds{node="n1",name="cam/1\\"x"} 0.002');
    expect(text).not.toContain('mediamtx_monitor_stream_srt_rtt_seconds{node="n1",name="off"}');
    expect(text).toContain('mediamtx_monitor_stream_health{node="n1",name="cam/1\\"x"} 1');
    expect(text).toContain('mediamtx_monitor_stream_health{node="n1",name="off"} 2');
    expect(text).toContain('mediamtx_monitor_collector_stale{node="n1"} 0');
    expect(text).toContain('mediamtx_monitor_host{metric="load_avg_15m"} 0.3');

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });
});
