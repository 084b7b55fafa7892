import Redis from 'ioredis';
import { AlertStore, keys, type AlertTransition, type NotificationJob } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';

function job(id: string, after: string | null = null, notifier = 'ops'): NotificationJob {
  return {
    id,
    notifier,
    after,
    createdAt: new Date().toISOString(),
    attempts: 0,
    notification: {
      status: after ? 'resolved' : 'firing',
      rule: 'r',
      kind: 'stream.offline',
      severity: 'warn',
      subject: { node: 'n', name: id },
      value: null,
      threshold: null,
      startsAt: '2026-12-01T10:00:00.000Z',
      summary: id,
      dashboardUrl: null,
    },
  };
}

/** A transition that only enqueues notifications (its record id is unique so it always applies). */
function enqueue(jobs: NotificationJob[], dueMs: number): AlertTransition {
  return { id: `t-${jobs.map((j) => j.id).join(',')}`, expect: null, next: null, event: null, jobs: jobs.map((j) => ({ job: j, dueMs })), stateChanged: false };
}

describe('the notification outbox in a real redis-server (AlertStore)', () => {
  let server: RedisServer;
  let redis: Redis;
  let store: AlertStore;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    store = new AlertStore(redis);
  });
  afterEach(() => redis.flushall());
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('a notification waits for the one before it (firing before resolved) and is due as soon as that one is sent', async () => {
    const now = Date.now();
    await store.apply([enqueue([job('firing')], now)], 10, 'x');
    await store.apply([enqueue([job('resolved', 'firing')], now)], 10, 'x');
    const [first] = await store.claim(now, 15_000, 10, 'me');
    expect(first.id).toBe('firing');
    // While the firing one is under way the resolved one is not handed out, and not left at the head.
    expect(await store.claim(now, 15_000, 10, 'me')).toEqual([]);
    expect(Number(await redis.zscore(keys.alertsOutbox, 'resolved'))).toBe(now + 15_000);
    expect(await store.finish(first, 'me', { kind: 'sent', at: new Date().toISOString() })).toBe(true);
    const [second] = await store.claim(Date.now(), 15_000, 10, 'me');
    expect(second.id).toBe('resolved');
    expect(await store.finish(second, 'me', { kind: 'sent', at: new Date().toISOString() })).toBe(true);
    expect(await store.outboxSize()).toBe(0);
    expect(await redis.hlen(keys.alertsWaiting)).toBe(0);
    expect(await redis.hlen(keys.alertsJobs)).toBe(0);
  });

  it('hands each notification to one claimer only; a lost claim records nothing', async () => {
    const now = Date.now();
    await store.apply([enqueue(Array.from({ length: 50 }, (_, i) => job(`j${i}`)), now)], 10, 'x');
    const [a, b] = await Promise.all([store.claim(now, 15_000, 30, 'a'), store.claim(now, 15_000, 30, 'b')]);
    expect(a.length + b.length).toBe(50);
    expect(new Set([...a, ...b].map((j) => j.id)).size).toBe(50);
    expect(await store.finish(a[0], 'b', { kind: 'sent', at: 'now' })).toBe(false);
    expect(await redis.hget(keys.alertNotifier('ops'), 'sent')).toBeNull();
    // After the lease another alerter may claim it again (its first claimer died).
    const again = await store.claim(now + 15_001, 15_000, 100, 'c');
    expect(again).toHaveLength(50);
  });

  it('notifications waiting behind a retrying one never crowd out others that are due', async () => {
    const now = Date.now();
    const heads = Array.from({ length: 300 }, (_, i) => job(`head${i}`, null, 'dead'));
    await store.apply([enqueue(heads, now + 3_600_000)], 10, 'x');
    await store.apply([enqueue(heads.map((h, i) => job(`tail${i}`, h.id, 'dead')), now)], 10, 'x');
    await store.apply([enqueue([job('fresh')], now + 1)], 10, 'x');
    expect((await store.claim(now + 1, 15_000, 10, 'me')).map((j) => j.id)).toEqual(['fresh']);
  });

  it("a chat notifier's due notifications are claimed together, up to the batch size per delivery; others one each", async () => {
    const now = Date.now();
    const chat = Array.from({ length: 120 }, (_, i) => job(`c${String(i).padStart(3, '0')}`, null, 'chat'));
    const hook = Array.from({ length: 5 }, (_, i) => job(`h${i}`, null, 'hook'));
    await store.apply([enqueue([...chat, ...hook], now)], 10, 'x');
    const batch = { size: 50, notifiers: ['chat'] };
    const ids = async () => (await store.claim(now, 15_000, 2, 'me', batch)).map((j) => j.id);
    // Equal due times come in id order: two deliveries of 50 chat notifications.
    expect(await ids()).toEqual(chat.slice(0, 100).map((j) => j.id));
    // The remaining 20 and one webhook notification; then the webhook ones two at a time.
    expect(await ids()).toEqual([...chat.slice(100).map((j) => j.id), 'h0']);
    expect(await ids()).toEqual(['h1', 'h2']);
    // Without a batch, one notification per delivery, as before.
    expect((await store.claim(now, 15_000, 1, 'me')).map((j) => j.id)).toEqual(['h3']);
  });
});
