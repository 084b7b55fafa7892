import express from 'express';
import request from 'supertest';
import { createLogger, keys } from '@mmon/shared';
import { useRedis } from '@mmon/test-support';
import { errorHandler } from '../src/errors';
import { systemRoutes } from '../src/routes/system';

describe('GET /api/system/latest against a real redis-server', () => {
  const db = useRedis({ options: { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100, disconnectTimeout: 50 } });
  let app: express.Express;

  beforeAll(() => {
    db.redis.on('error', () => undefined);
    app = express();
    app.use(systemRoutes({ redis: db.redis, logger: createLogger('api-test', 'error') })).use(errorHandler);
  });

  it('answers 503 JSON while no sample was written', async () => {
    const res = await request(app).get('/api/system/latest');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'no system sample yet', status: 503 });
  });

  it('answers the stored sample unchanged', async () => {
    const sample = { cpu_percent: 12.5, ram_used_mb: 100, ram_total_mb: 1000, sampledAt: new Date().toISOString(), intervalMs: 5000 };
    const text = JSON.stringify(sample);
    await db.redis.set(keys.systemLatest, text);
    const res = await request(app).get('/api/system/latest');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).toBe(text);
    expect(res.body).toEqual(sample);
  });

  it('answers 503 JSON when Redis is away', async () => {
    await db.server.stop();
    await new Promise((resolve) => (db.redis.status === 'ready' ? db.redis.once('close', resolve) : resolve(undefined)));
    const res = await request(app).get('/api/system/latest');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'redis unavailable', status: 503 });
  });
});
