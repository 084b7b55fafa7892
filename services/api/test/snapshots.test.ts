import { spawnSync } from 'node:child_process';
import express from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { SnapshotStore, createLogger, keys, snapshotImageUrl } from '@mmon/shared';
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

async function seed(node: string, name: string, takenAt = '2026-01-02T03:04:05.000Z') {
  const store = new SnapshotStore(redis);
  await store.saveImage(jpeg, { node, name, takenAt }, 60_000);
  await store.publishIndex(new Map([[node, [{ node, name, takenAt, url: snapshotImageUrl(node, name) }]]]), 60_000, takenAt);
}

describe('GET /api/snapshots/latest', () => {
  it('answers the index, or [] before the snapshotter wrote one', async () => {
    const empty = await request(app()).get('/api/snapshots/latest').expect(200);
    expect(empty.body).toEqual([]);
    await seed('eu-1', 'live/cam 1');
    const res = await request(app()).get('/api/snapshots/latest').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toEqual([{ node: 'eu-1', name: 'live/cam 1', takenAt: '2026-01-02T03:04:05.000Z', url: '/api/snapshots/eu-1/live%2Fcam%201.jpg' }]);
  });
});

describe('GET /api/snapshots/<node>/<name>.jpg', () => {
  it('serves the JPEG of a node and a name with slashes, with caching headers', async () => {
    await seed('eu-1', 'live/cam 1');
    const res = await request(app()).get('/api/snapshots/eu-1/live%2Fcam%201.jpg').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['last-modified']).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(Buffer.compare(res.body as Buffer, jpeg)).toBe(0);
    await request(app()).get('/api/snapshots/eu-1/live%2Fcam%201.jpg').set('If-None-Match', res.headers.etag).expect(304);
  });

  it("keeps two nodes' streams of the same name apart", async () => {
    await seed('eu-1', 'cam');
    const other = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=red:size=64x36', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1']).stdout;
    await redis.hset(keys.snapshot('us', 'cam'), 'image', other, 'meta', JSON.stringify({ node: 'us', name: 'cam', takenAt: '2026-01-02T03:04:06.000Z' }));
    const eu = await request(app()).get('/api/snapshots/eu-1/cam.jpg').buffer(true).expect(200);
    const us = await request(app()).get('/api/snapshots/us/cam.jpg').buffer(true).expect(200);
    expect(Buffer.compare(eu.body as Buffer, jpeg)).toBe(0);
    expect(Buffer.compare(us.body as Buffer, other)).toBe(0);
  });

  it('answers 404 JSON for a stream without a snapshot, and for a path without a node', async () => {
    const none = await request(app()).get('/api/snapshots/eu-1/nobody.jpg').expect(404);
    expect(none.body).toEqual({ error: 'no snapshot of this stream', status: 404 });
    await seed('eu-1', 'cam');
    for (const path of ['/api/snapshots/cam.jpg', '/api/snapshots/eu-1/a/../cam.jpg']) {
      const res = await request(app()).get(path).expect(404);
      expect(res.body).toEqual({ error: 'not found', status: 404 });
    }
  });

  it.each([
    ['..%2F..%2Fetc%2Fpasswd'],
    ['%2E%2E'],
    ['a%2F..%2Fb'],
    ['%2Fetc%2Fpasswd'],
    ['a%00b'],
    ['a%5Cb'],
    ['a%2F%2Fb'],
    ['%E0%A4%A'],
  ])('rejects the escaping or malformed name %s with 400 JSON', async (encoded) => {
    await seed('n', 'a/b');
    const res = await request(app()).get(`/api/snapshots/n/${encoded}.jpg`).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.status).toBe(400);
  });

  it.each([['a%20b'], ['a%3Ab'], ['%E0%A4%A'], ['a%2Fb']])('rejects the malformed node %s with 400 JSON', async (encoded) => {
    const res = await request(app()).get(`/api/snapshots/${encoded}/cam.jpg`).expect(400);
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
    const res = await request(app(away)).get('/api/snapshots/n/a.jpg').expect(503);
    expect(res.body).toEqual({ error: 'redis unavailable', status: 503 });
    await request(app(away)).get('/api/snapshots/latest').expect(503);
  });
});
