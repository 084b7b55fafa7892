import { spawnSync } from 'node:child_process';
import express from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { createLogger, keys, snapshotImageUrl, type SnapshotIndexEntry } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';
import { errorHandler, notFound } from '../src/errors';
import { imageName, snapshotRoutes } from '../src/routes/snapshots';

let server: RedisServer;
let redis: Redis;
let jpeg: Buffer;
const logger = createLogger('api-test', 'error');

function app(client: Redis = redis) {
  return express().use(snapshotRoutes({ redis: client, logger })).use(notFound).use(errorHandler);
}

beforeAll(async () => {
  server = await RedisServer.start();
  redis = new Redis(server.url);
  const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1']);
  jpeg = made.stdout;
});

beforeEach(() => redis.flushall());

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

async function seed(name: string, takenAt = '2026-01-02T03:04:05.000Z') {
  await redis.hset(keys.snapshot(name), 'image', jpeg, 'meta', JSON.stringify({ name, takenAt }));
  const index: SnapshotIndexEntry[] = [{ name, takenAt, url: snapshotImageUrl(name) }];
  await redis.set(keys.snapshotsIndex, JSON.stringify(index));
}

describe('GET /api/snapshots/latest', () => {
  it('answers the index, or [] before the snapshotter wrote one', async () => {
    const empty = await request(app()).get('/api/snapshots/latest').expect(200);
    expect(empty.body).toEqual([]);
    await seed('live/cam 1');
    const res = await request(app()).get('/api/snapshots/latest').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toEqual([{ name: 'live/cam 1', takenAt: '2026-01-02T03:04:05.000Z', url: '/api/snapshots/live%2Fcam%201.jpg' }]);
  });
});

describe('GET /api/snapshots/<name>.jpg', () => {
  it('serves the JPEG of a name with slashes, with caching headers', async () => {
    await seed('live/cam 1');
    const res = await request(app()).get('/api/snapshots/live%2Fcam%201.jpg').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['last-modified']).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(Buffer.compare(res.body as Buffer, jpeg)).toBe(0);
    await request(app()).get('/api/snapshots/live%2Fcam%201.jpg').set('If-None-Match', res.headers.etag).expect(304);
  });

  it('answers 404 JSON for a stream without a snapshot', async () => {
    const res = await request(app()).get('/api/snapshots/nobody.jpg').expect(404);
    expect(res.body).toEqual({ error: 'no snapshot of this stream', status: 404 });
  });

  it.each([
    ['..%2F..%2Fetc%2Fpasswd'],
    ['%2E%2E'],
    ['a%2F..%2Fb'],
    ['a/../b'],
    ['%2Fetc%2Fpasswd'],
    ['a%00b'],
    ['a%5Cb'],
    ['a%2F%2Fb'],
    ['%E0%A4%A'],
  ])('rejects the escaping or malformed name %s with 400 JSON', async (encoded) => {
    await seed('a/b');
    const res = await request(app()).get(`/api/snapshots/${encoded}.jpg`).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.status).toBe(400);
  });

  it('decodes a name exactly once', () => {
    expect(imageName('a%252Fb')).toBe('a%2Fb');
    expect(imageName('live%2Fcam%201')).toBe('live/cam 1');
  });

  it('answers 503 JSON while Redis is unreachable', async () => {
    const away = new Redis(server.url, { enableOfflineQueue: false });
    await new Promise((ready) => away.once('ready', ready));
    away.disconnect(); // a connection that is gone for good
    const res = await request(app(away)).get('/api/snapshots/a.jpg').expect(503);
    expect(res.body).toEqual({ error: 'redis unavailable', status: 503 });
    await request(app(away)).get('/api/snapshots/latest').expect(503);
  });
});
