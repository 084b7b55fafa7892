import Redis from 'ioredis';
import type { Browser } from 'playwright-core';
import { StreamStore, createLogger } from '@mmon/shared';
import { RedisServer } from '@mmon/test-support';
import { startApi, type RunningApi } from '../src/server';
import { launchChromium } from '../../web/test/support/browser';
import { publish, summary } from './fixtures';

/** Chromium negotiates permessage-deflate itself: the frames compressed once for every client must be what it reads. */
describe('the WebSocket in Chromium', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let browser: Browser;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger: createLogger('api-test', 'error') });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  test('receives the compressed summaries and deltas', async () => {
    const store = new StreamStore(redis, 60);
    const rows = Array.from({ length: 300 }, (_, i) => summary('n', `live/cam-${i}`));
    await publish(store, 'n', rows);
    const page = await browser.newPage();
    const url = `ws://127.0.0.1:${api.port}/api/ws`;
    await page.evaluate((u) => {
      const w = window as unknown as { messages: unknown[]; extensions: string };
      w.messages = [];
      const ws = new WebSocket(u);
      ws.onopen = () => (w.extensions = ws.extensions);
      ws.onmessage = (e) => w.messages.push(JSON.parse(e.data as string));
    }, url);
    const full = await page.waitForFunction(() => (window as unknown as { messages: { type: string }[] }).messages.find((m) => m.type === 'streams'));
    expect(await full.jsonValue()).toMatchObject({ type: 'streams', data: rows });
    expect(await page.evaluate(() => (window as unknown as { extensions: string }).extensions)).toMatch(/^permessage-deflate; server_no_context_takeover/);

    await publish(store, 'n', [summary('n', 'live/cam-0', { readers: 7 }), ...rows.slice(1)]);
    const delta = await page.waitForFunction(() => (window as unknown as { messages: { type: string }[] }).messages.find((m) => m.type === 'streams.delta'));
    expect(await delta.jsonValue()).toMatchObject({ node: 'n', added: [], removed: [], changed: [{ node: 'n', name: 'live/cam-0', readers: 7 }] });
    await page.close();
  });
});
