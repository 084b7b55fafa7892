import request from 'supertest';
import { HostHistoryWriter, StreamHistoryWriter, createLogger, historyTiers, type HistorySource } from '@mmon/shared';
import { useRedis } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';

const MIN = 60_000;

describe('/api/history', () => {
  let api: RunningApi;
  // declared before useRedis(): after-hooks run in the order they are declared, so the api closes while Redis is up
  afterAll(() => api.close());
  const db = useRedis();
  let base: string;
  /** The newest sample's time: 40 minutes of samples every 5 s end here. */
  const end = Date.now() - (Date.now() % MIN) - MIN;
  const start = end - 40 * MIN;
  const s: HistorySource = {
    node: 'eu-1',
    name: 'live/a b',
    online: true,
    readers: 2,
    recvRateMbps: 1.5,
    sendRateMbps: 3,
    rtt: 12.5,
    linkCapacityMbps: 50,
    srt10s: { loss: 0, retrans: 1, drop: 0, belated: 0, undecrypt: 0 },
    health: { level: 'ok', reasons: [] },
  };

  beforeAll(async () => {
    api = await startApi({ redis: db.url, port: 0, host: '127.0.0.1', logger: createLogger('t', 'error') });
    base = `http://127.0.0.1:${api.port}`;
    const streams = new StreamHistoryWriter(db.redis, historyTiers({}));
    const host = new HostHistoryWriter(db.redis, historyTiers({}));
    for (let t = start; t <= end; t += 5000) {
      const spike = t === start + 20 * MIN + 5000;
      await streams.append([{ ...s, readers: t < start + 20 * MIN ? 2 : 5, rtt: spike ? 800 : 12.5 }], t);
      await host.append({ cpu_percent: spike ? 99 : 20, load: 0.25, 'disk_percent:/': 33 }, t);
    }
  });

  test("answers one stream's points between from and to, oldest first, with min and max", async () => {
    const res = await request(base).get('/api/history').query({ node: 'eu-1', name: 'live/a b', from: String(start + 19 * MIN), to: String(start + 21 * MIN - 1) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ node: 'eu-1', name: 'live/a b', resolutionMs: 10_000 });
    const points = res.body.points as { t: number; readers: number; rtt: number; max: { rtt: number } }[];
    expect(points.map((p) => p.t)).toEqual(Array.from({ length: 12 }, (_, i) => start + 19 * MIN + i * 10_000));
    expect(points.map((p) => p.readers)).toEqual([2, 2, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5]);
    expect(points[0]).toEqual({
      t: start + 19 * MIN,
      online: 1,
      health: 'ok',
      readers: 2,
      recvRateMbps: 1.5,
      sendRateMbps: 3,
      rtt: 12.5,
      linkCapacityMbps: 50,
      srtLoss: 0,
      srtRetrans: 1,
      srtDrop: 0,
      min: { readers: 2, recvRateMbps: 1.5, sendRateMbps: 3, rtt: 12.5, linkCapacityMbps: 50, srtLoss: 0, srtRetrans: 1, srtDrop: 0 },
      max: { readers: 2, recvRateMbps: 1.5, sendRateMbps: 3, rtt: 12.5, linkCapacityMbps: 50, srtLoss: 0, srtRetrans: 1, srtDrop: 0 },
    });
    expect(points[6]).toMatchObject({ rtt: 406.25, min: { rtt: 12.5 }, max: { rtt: 800 } });
  });

  test('minutes=N keeps working; 30 days answer at most maxPoints buckets, the spike as a max', async () => {
    const recent = await request(base).get('/api/history').query({ node: 'eu-1', name: 'live/a b', minutes: '5' });
    expect(recent.status).toBe(200);
    expect(recent.body.resolutionMs).toBe(10_000);
    expect(recent.body.points.length).toBeGreaterThan(0);
    expect(recent.body.points[0].t).toBeGreaterThanOrEqual(Date.now() - 5 * MIN - 10_000);

    const month = await request(base).get('/api/history').query({ node: 'eu-1', name: 'live/a b', from: String(Date.now() - 30 * 24 * 60 * MIN) });
    expect(month.status).toBe(200);
    expect(month.body.resolutionMs % (10 * MIN)).toBe(0);
    expect(month.body.points.length).toBeGreaterThan(0);
    expect(month.body.points.length).toBeLessThanOrEqual(500);
    const few = await request(base).get('/api/history').query({ node: 'eu-1', name: 'live/a b', from: String(start), to: String(end), maxPoints: '3' });
    expect(few.body.points).toHaveLength(3);
    expect(few.body.resolutionMs % 10_000).toBe(0);
    expect(few.body.resolutionMs).toBeGreaterThanOrEqual((40 * MIN) / 3);
    expect(Math.max(...few.body.points.map((p: { max: { rtt: number } }) => p.max.rtt))).toBe(800);

    const none = await request(base).get('/api/history').query({ node: 'eu-1', name: 'nothing' });
    expect(none.status).toBe(200);
    expect(none.body.points).toEqual([]);
  });

  test("/api/history/system answers the host's points", async () => {
    const res = await request(base).get('/api/history/system').query({ from: String(start + 20 * MIN), to: String(start + 20 * MIN + 9999) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resolutionMs: 10_000,
      points: [
        {
          t: start + 20 * MIN,
          cpu_percent: 59.5,
          load: 0.25,
          disk_percent: { '/': 33 },
          min: { cpu_percent: 20, load: 0.25, disk_percent: { '/': 33 } },
          max: { cpu_percent: 99, load: 0.25, disk_percent: { '/': 33 } },
        },
      ],
    });
    const empty = await request(base).get('/api/history/system').query({ from: '0', to: '1000' });
    expect(empty.body.points).toEqual([]);
  });

  test.each([
    ['/api/history', /required/],
    ['/api/history?node=eu-1', /required/],
    ['/api/history?node=e%20u&name=x', /"node" is malformed/],
    ['/api/history?node=a&name=x&minutes=0', /minutes/],
    ['/api/history?node=a&name=x&minutes=9999999', /"minutes" is malformed/],
    ['/api/history?node=a&name=x&minutes=5&from=1', /cannot be combined/],
    ['/api/history?node=a&name=x&from=-1', /"from" is malformed/],
    ['/api/history?node=a&name=x&from=2000&to=1000', /must not be after/],
    ['/api/history?node=a&name=x&from=1.5', /"from" is malformed/],
    ['/api/history?node=a&name=x&maxPoints=0', /maxPoints/],
    ['/api/history?node=a&name=x&maxPoints=20000', /maxPoints/],
    ['/api/history?node=a&name=x&from=1&from=2', /given once/],
    ['/api/history?node=a&name=x&since=1', /unknown query parameter "since"/],
    ['/api/history/system?to=abc', /"to" is malformed/],
    ['/api/history/system?node=a', /unknown query parameter "node"/],
  ])('%s answers 400 JSON', async (path, message) => {
    const res = await request(base).get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(message), status: 400 });
  });
});
