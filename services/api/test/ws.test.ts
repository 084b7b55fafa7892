import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import request from 'supertest';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { AlertStore, StreamStore, alertId, createLogger, keys, type AlertRecord } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';
import { detailPart, publish, summary } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = Record<string, any>;

/** A WebSocket client that records every message; it offers permessage-deflate with client_max_window_bits, as browsers do. */
class Client {
  readonly messages: Message[] = [];
  readonly closed: Promise<number>;
  private seen = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => this.messages.push(JSON.parse(m.toString())));
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static async open(port: number, perMessageDeflate = true): Promise<Client> {
    const client = new Client(new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { perMessageDeflate }));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  /** The next message of a type after those already taken. */
  async next(type: string): Promise<Message> {
    return eventually(() => {
      const i = this.messages.findIndex((m, j) => j >= this.seen && m.type === type);
      if (i < 0) throw new Error(`no "${type}" message after ${this.seen}: ${this.messages.slice(this.seen).map((m) => `${m.type} ${m.seq ?? ''}`).join(', ')}`);
      this.seen = i + 1;
      return this.messages[i];
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** A pending or firing offline alert of stream n/<name>, as the alerter stores it. */
function alertRecord(name: string, state: AlertRecord['state'], summary = `stream ${name} on node n: offline`): AlertRecord {
  const subject = { node: 'n', name };
  return {
    id: alertId('off', subject),
    rule: 'off',
    kind: 'stream.offline',
    severity: 'crit',
    subject,
    state,
    activeAt: '2026-12-01T10:00:00.000Z',
    firedAt: state === 'firing' ? '2026-12-01T10:00:10.000Z' : null,
    clearSince: null,
    seenAt: '2026-12-01T10:00:10.000Z',
    value: null,
    threshold: null,
    summary,
    notifiedAt: null,
    lastJobs: {},
  };
}

describe('WebSocket /api/ws', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let store: StreamStore;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    store = new StreamStore(redis, 60);
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger: createLogger('api-test', 'error') });
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  test('sends the summaries on connect, then per node update only what changed, and the whole again on resync', async () => {
    await publish(store, 'n', [summary('n', 'a'), summary('n', 'b')], '2026-11-24T05:00:00.000Z');
    await eventually(async () => expect((await request(`http://127.0.0.1:${api.port}`).get('/api/streams/latest')).body).toHaveLength(2));
    const client = await Client.open(api.port);
    expect(client.ws.extensions).toMatch(/permessage-deflate/);
    const first = await client.next('streams');
    expect(first).toEqual({ type: 'streams', seq: expect.any(Number), collectedAt: '2026-11-24T05:00:00.000Z', data: [summary('n', 'a'), summary('n', 'b')] });
    const seq = first.seq as number;

    const a2 = summary('n', 'a', { bytesReceived: 999999, readers: 3, health: { level: 'warn', reasons: ['SRT loss 2 packets in 10 s'] } });
    await publish(store, 'n', [a2, summary('n', 'b')], '2026-11-24T05:00:01.000Z');
    expect(await client.next('streams.delta')).toEqual({
      type: 'streams.delta',
      seq: seq + 1,
      collectedAt: '2026-11-24T05:00:01.000Z',
      node: 'n',
      added: [],
      changed: [{ node: 'n', name: 'a', bytesReceived: 999999, readers: 3, health: { level: 'warn', reasons: ['SRT loss 2 packets in 10 s'] } }],
      removed: [],
    });

    await publish(store, 'n', [a2, summary('n', 'c')], '2026-11-24T05:00:02.000Z');
    expect(await client.next('streams.delta')).toMatchObject({ seq: seq + 2, node: 'n', added: [summary('n', 'c')], changed: [], removed: [{ node: 'n', name: 'b' }] });

    await publish(store, 'm', [summary('m', 'a')], '2026-11-24T05:00:03.000Z');
    expect(await client.next('streams.delta')).toMatchObject({ seq: seq + 3, node: 'm', added: [summary('m', 'a')], changed: [], removed: [] });

    client.send({ type: 'resync' });
    expect(await client.next('streams')).toEqual({
      type: 'streams',
      seq: seq + 3,
      collectedAt: '2026-11-24T05:00:03.000Z',
      data: [summary('m', 'a'), a2, summary('n', 'c')],
    });
    client.ws.close();
  });

  test('sends large messages compressed to a client that offers permessage-deflate, and plain to one that does not', async () => {
    await redis.flushall();
    const rows = Array.from({ length: 300 }, (_, i) => summary('big', `live/cam-${i}`));
    await publish(store, 'big', rows);
    await eventually(async () => expect((await request(`http://127.0.0.1:${api.port}`).get('/api/streams/latest')).body).toHaveLength(300));
    let socket: { bytesRead: number } | undefined;
    const deflating = new Client(new WebSocket(`ws://127.0.0.1:${api.port}/api/ws`));
    deflating.ws.on('upgrade', (res) => (socket = res.socket));
    const plain = await Client.open(api.port, false);
    expect(plain.ws.extensions).toBe('');
    const [a, b] = await Promise.all([deflating.next('streams'), plain.next('streams')]);
    expect(a.data).toEqual(rows);
    expect(b).toEqual(a);
    expect(socket!.bytesRead).toBeLessThan(JSON.stringify(a).length / 5);
    deflating.ws.close();
    plain.ws.close();
  });

  test('a detail subscription gets the detail at once and after every update of its node, and is watched in Redis', async () => {
    await redis.flushall();
    await publish(store, 'n', [summary('n', 'a'), summary('n', 'b')], undefined, { a: detailPart('r1'), b: detailPart('rb') });
    await publish(store, 'm', [summary('m', 'live/x')], undefined, { 'live/x': detailPart('rx') });
    const client = await Client.open(api.port);
    await eventually(async () => expect((await client.next('streams')).data).toHaveLength(3));

    const before = Date.now();
    client.send({ type: 'detail', streams: [{ node: 'n', name: 'a' }, { node: 'm', name: 'live/x' }, { node: 'n', name: 'unknown' }] });
    const initial = await client.next('detail');
    expect(initial.data).toEqual(expect.arrayContaining([{ ...summary('n', 'a'), ...detailPart('r1') }, { ...summary('m', 'live/x'), ...detailPart('rx') }]));
    expect(initial.data).toHaveLength(2);
    await eventually(async () => {
      const until = Number(await redis.zscore(keys.nodeWatch('n'), 'a'));
      expect(until).toBeGreaterThanOrEqual(before + 10_000);
      expect(Number(await redis.zscore(keys.nodeWatch('m'), 'live/x'))).toBeGreaterThanOrEqual(before + 10_000);
    });

    // the collector learns which streams are viewed, and the client gets their fresh detail
    const watched = await publish(store, 'n', [summary('n', 'a', { readers: 2 }), summary('n', 'b')], undefined, { a: detailPart('r2'), b: detailPart('rb') });
    expect(watched.sort()).toEqual(['a', 'unknown']);
    await client.next('streams.delta');
    expect((await client.next('detail')).data).toEqual([{ ...summary('n', 'a', { readers: 2 }), ...detailPart('r2') }]);

    client.send({ type: 'detail', streams: [] });
    client.send({ type: 'detail', streams: [{ node: 'n', name: 'b' }] });
    expect((await client.next('detail')).data).toEqual([{ ...summary('n', 'b'), ...detailPart('rb') }]);
    client.ws.close();
  });

  test('a client too slow to take the deltas is skipped, then sent the whole summaries once it has caught up', async () => {
    await redis.flushall();
    await publish(store, 'n', [summary('n', 'a')]);
    let socket: Socket | undefined;
    const slow = new Client(new WebSocket(`ws://127.0.0.1:${api.port}/api/ws`));
    slow.ws.on('upgrade', (res) => (socket = res.socket));
    const start = (await slow.next('streams')).seq as number;
    socket!.pause(); // reads nothing more: what the api sends piles up in the socket buffers
    // incompressible updates (random names) of about 2 MB each, more than the socket buffers and the api's limit
    const random = () => randomBytes(3000).toString('base64');
    for (let i = 0; i < 12; i++) {
      await publish(store, 'n', Array.from({ length: 500 }, () => summary('n', random())));
    }
    await publish(store, 'n', [summary('n', 'end')]);
    await eventually(async () => expect((await request(`http://127.0.0.1:${api.port}`).get('/api/streams/latest')).body).toEqual([summary('n', 'end')]));
    socket!.resume();
    const resent = await slow.next('streams');
    expect(resent.data).toEqual([summary('n', 'end')]);
    const deltas = slow.messages.filter((m) => m.type === 'streams.delta').map((m) => m.seq as number);
    expect(deltas.length).toBeLessThan(resent.seq - start); // some were skipped
    expect(deltas).toEqual(deltas.map((_, i) => start + i + 1)); // and what it got before was contiguous
    await publish(store, 'n', [summary('n', 'end', { readers: 9 })]);
    expect(await slow.next('streams.delta')).toMatchObject({ seq: resent.seq + 1, changed: [{ node: 'n', name: 'end', readers: 9 }] });
    slow.ws.close();
  }, 60_000);

  test.each([
    ['not JSON', 'hello'],
    ['an unknown type', JSON.stringify({ type: 'subscribe' })],
    ['streams that are not a list', JSON.stringify({ type: 'detail', streams: 'n/a' })],
    ['a malformed node', JSON.stringify({ type: 'detail', streams: [{ node: 'a b', name: 'x' }] })],
    ['more than 20 streams', JSON.stringify({ type: 'detail', streams: Array.from({ length: 21 }, (_, i) => ({ node: 'n', name: `s${i}` })) })],
  ])('a client that sends %s is closed; the others carry on', async (_what, message) => {
    const bad = await Client.open(api.port);
    const good = await Client.open(api.port);
    await good.next('streams');
    bad.send(message);
    expect(await bad.closed).toBe(1008);
    good.send({ type: 'resync' });
    expect(await good.next('streams')).toMatchObject({ type: 'streams' });
    good.ws.close();
  });

  test('sends the alerts on connect and again, whole, after every state change the alerter announces', async () => {
    await redis.flushall();
    const alerts = new AlertStore(redis);
    const change = async (prev: AlertRecord | null, next: AlertRecord | null) => {
      const id = (next ?? prev)!.id;
      const applied = await alerts.apply([{ id, expect: prev && JSON.stringify(prev), next, event: null, jobs: [], stateChanged: true }], 100, new Date().toISOString());
      expect(applied).toHaveLength(1);
    };
    const first = await Client.open(api.port);
    expect(await first.next('alerts')).toEqual({ type: 'alerts', data: [] });
    const pending = alertRecord('cam', 'pending');
    await change(null, pending);
    expect(await first.next('alerts')).toEqual({
      type: 'alerts',
      data: [
        {
          id: '["off","n","cam"]',
          rule: 'off',
          kind: 'stream.offline',
          severity: 'crit',
          state: 'pending',
          subject: { node: 'n', name: 'cam' },
          since: '2026-12-01T10:00:00.000Z',
          activeAt: '2026-12-01T10:00:00.000Z',
          value: null,
          threshold: null,
          summary: 'stream cam on node n: offline',
        },
      ],
    });

    const firing = alertRecord('cam', 'firing');
    await change(pending, firing);
    expect(await first.next('alerts')).toMatchObject({ type: 'alerts', data: [{ id: '["off","n","cam"]', state: 'firing', since: '2026-12-01T10:00:10.000Z' }] });
    // the cache has the firing alert now: a client that connects gets it at once
    const second = await Client.open(api.port);
    expect((await second.next('alerts')).data).toEqual((first.messages.at(-1) as Message).data);

    await change(firing, null);
    expect(await first.next('alerts')).toEqual({ type: 'alerts', data: [] });
    expect(await second.next('alerts')).toEqual({ type: 'alerts', data: [] });
    first.ws.close();
    second.ws.close();
  });

  test('a message larger than any subscription closes that client', async () => {
    const bad = await Client.open(api.port);
    bad.send({ type: 'detail', streams: [{ node: 'n', name: 'x'.repeat(100_000) }] });
    expect(await bad.closed).toBe(1009);
    const good = await Client.open(api.port);
    expect(await good.next('streams')).toMatchObject({ type: 'streams' });
    good.ws.close();
  });
});
