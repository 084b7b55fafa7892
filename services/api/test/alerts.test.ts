import express from 'express';
import request from 'supertest';
import { AlertStore, alertId, createLogger, type AlertEvent, type AlertRecord } from '@mmon/shared';
import { useRedis } from '@mmon/test-support';
import { errorHandler, notFound } from '../src/errors';
import { alertRoutes } from '../src/routes/alerts';

function record(rule: string, state: AlertRecord['state'], severity: AlertRecord['severity'], activeAt: string, subject: AlertRecord['subject']): AlertRecord {
  return {
    id: alertId(rule, subject),
    rule,
    kind: 'stream.offline',
    severity,
    subject,
    state,
    activeAt,
    firedAt: state === 'firing' ? '2026-12-01T10:00:30.000Z' : null,
    clearSince: null,
    seenAt: activeAt,
    value: null,
    threshold: null,
    summary: `stream ${subject.name} on node ${subject.node}: offline since ${activeAt}`,
    notifiedAt: null,
    lastJobs: { ops: 'job-1' },
  };
}

function event(i: number): AlertEvent {
  const r = record('off', 'firing', 'crit', '2026-12-01T10:00:00.000Z', { node: 'eu', name: `s${i}` });
  return { at: new Date(Date.parse('2026-12-01T10:00:00.000Z') + i * 1000).toISOString(), status: i % 2 ? 'resolved' : 'firing', repeat: false, id: r.id, rule: r.rule, kind: r.kind, severity: r.severity, subject: r.subject, value: null, threshold: null, startsAt: r.activeAt, endsAt: null, summary: `event ${i}` };
}

describe('GET /api/alerts* against a real redis-server, with state written by the real AlertStore', () => {
  const db = useRedis({ options: { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100, disconnectTimeout: 50 } });
  let store: AlertStore;
  let app: express.Express;

  beforeAll(() => {
    db.redis.on('error', () => undefined);
    store = new AlertStore(db.redis);
    app = express();
    app.set('query parser', 'simple');
    app.use(alertRoutes({ redis: db.redis, logger: createLogger('api-test', 'error') })).use('/api', notFound).use(errorHandler);
  });

  it('answers [] before any alert and 503 JSON for the rules before an alerter started', async () => {
    expect((await request(app).get('/api/alerts')).body).toEqual([]);
    expect((await request(app).get('/api/alerts/history')).body).toEqual([]);
    const res = await request(app).get('/api/alerts/rules');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'no alerter has started', status: 503 });
  });

  it('lists pending and firing alerts, firing first, then by severity and age, with since and value', async () => {
    const rows = [
      record('off', 'pending', 'crit', '2026-12-01T10:00:05.000Z', { node: 'eu', name: 'p' }),
      record('off', 'firing', 'warn', '2026-12-01T10:00:01.000Z', { node: 'eu', name: 'w' }),
      record('off', 'firing', 'crit', '2026-12-01T10:00:02.000Z', { node: 'eu', name: 'c2' }),
      record('off', 'firing', 'crit', '2026-12-01T10:00:00.000Z', { node: 'eu', name: 'c1' }),
    ];
    const applied = await store.apply(
      rows.map((next) => ({ id: next.id, expect: null, next, event: null, jobs: [], stateChanged: true })),
      100,
      new Date().toISOString(),
    );
    expect(applied).toHaveLength(4);
    const res = await request(app).get('/api/alerts');
    expect(res.status).toBe(200);
    expect(res.body.map((a: { subject: { name: string } }) => a.subject.name)).toEqual(['c1', 'c2', 'w', 'p']);
    expect(res.body[0]).toEqual({
      id: '["off","eu","c1"]',
      rule: 'off',
      kind: 'stream.offline',
      severity: 'crit',
      state: 'firing',
      subject: { node: 'eu', name: 'c1' },
      since: '2026-12-01T10:00:30.000Z',
      activeAt: '2026-12-01T10:00:00.000Z',
      value: null,
      threshold: null,
      summary: 'stream c1 on node eu: offline since 2026-12-01T10:00:00.000Z',
    });
    expect(res.body[3]).toMatchObject({ state: 'pending', since: '2026-12-01T10:00:05.000Z' });
  });

  it('serves the history newest first, bounded by limit and by the alerter', async () => {
    const applied = await store.apply(
      Array.from({ length: 8 }, (_, i) => ({ id: `e${i}`, expect: null, next: null, event: event(i), jobs: [], stateChanged: true })),
      5,
      new Date().toISOString(),
    );
    expect(applied).toHaveLength(8);
    const all = await request(app).get('/api/alerts/history');
    expect(all.body.map((e: AlertEvent) => e.summary)).toEqual(['event 7', 'event 6', 'event 5', 'event 4', 'event 3']);
    const two = await request(app).get('/api/alerts/history?limit=2');
    expect(two.body.map((e: AlertEvent) => e.summary)).toEqual(['event 7', 'event 6']);
  });

  it('serves the loaded rules and each notifier delivery figures, never a URL', async () => {
    await store.saveRules({
      loadedAt: '2026-12-01T10:00:00.000Z',
      source: '/etc/alerts.yaml',
      rules: [{ name: 'off', kind: 'stream.offline', match: { node: '*', name: 'live/*' }, threshold: null, forMs: 10_000, keepFiringForMs: 0, repeatEveryMs: null, severity: 'crit', notify: ['ops'] }],
      notifiers: [
        { name: 'ops', type: 'webhook' },
        { name: 'chat', type: 'slack' },
      ],
    });
    await db.redis.hset('mediamtx:alerts:notifiers:ops', { sent: '3', failed: '1', lastError: 'HTTP 500 Internal Server Error', lastErrorAt: '2026-12-01T10:01:00.000Z', lastSuccessAt: '2026-12-01T10:02:00.000Z' });
    const res = await request(app).get('/api/alerts/rules');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      loadedAt: '2026-12-01T10:00:00.000Z',
      source: '/etc/alerts.yaml',
      rules: [{ name: 'off', kind: 'stream.offline', match: { node: '*', name: 'live/*' }, threshold: null, forMs: 10_000, keepFiringForMs: 0, repeatEveryMs: null, severity: 'crit', notify: ['ops'] }],
      notifiers: [
        { name: 'ops', type: 'webhook', sent: 3, failed: 1, lastError: 'HTTP 500 Internal Server Error', lastErrorAt: '2026-12-01T10:01:00.000Z', lastSuccessAt: '2026-12-01T10:02:00.000Z' },
        { name: 'chat', type: 'slack', sent: 0, failed: 0, lastError: null, lastErrorAt: null, lastSuccessAt: null },
      ],
    });
  });

  test.each([
    ['/api/alerts/history?limit=0', 400, 'query parameter "limit" must be 1 to 10000'],
    ['/api/alerts/history?limit=abc', 400, 'query parameter "limit" is malformed'],
    ['/api/alerts/history?limit=1&limit=2', 400, 'query parameter "limit" must be given once'],
    ['/api/alerts?state=firing', 400, 'unknown query parameter "state"'],
    ['/api/alerts/nope', 404, 'not found'],
  ])('%s → %s JSON', async (url, status, error) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error, status });
  });

  it('answers 503 JSON when Redis is away', async () => {
    await db.server.stop();
    await new Promise((resolve) => (db.redis.status === 'ready' ? db.redis.once('close', resolve) : resolve(undefined)));
    for (const url of ['/api/alerts', '/api/alerts/history', '/api/alerts/rules']) {
      const res = await request(app).get(url);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'redis unavailable', status: 503 });
    }
  });
});
