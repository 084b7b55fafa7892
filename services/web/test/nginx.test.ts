import http from 'node:http';
import type { Browser } from 'playwright-core';
import { eventually } from '@mmon/test-support';
import { launchChromium } from './support/browser';
import { demoStreams, systemSample, testJpeg, writeSnapshots, writeStreams, writeSystem } from './support/fixtures';
import { startNginx, type RunningNginx } from './support/nginx';
import { PUBLIC_DIR, startStack, type Stack } from './support/stack';

function head(url: string, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
  });
}

/** The dashboard through a real nginx running the image's config template, proxying to the real api. */
describe('dashboard behind nginx', () => {
  let stack: Stack;
  let nginx: RunningNginx;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    stack = await startStack();
    nginx = await startNginx({ apiUpstream: stack.base, root: PUBLIC_DIR });
    base = `http://127.0.0.1:${nginx.port}`;
    await writeSystem(stack.redis, systemSample());
    const jpeg = testJpeg();
    await writeSnapshots(stack.redis, [
      ...demoStreams()
        .filter((s) => s.online && s.name !== 'webrtc/guest')
        .map((s) => ({ node: s.node, name: s.name, jpeg })),
      { node: 'node-a', name: 'webrtc/guest', error: 'rtsp: connection refused' },
    ]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    await stack?.close();
  });

  test('serves the files with revalidation, gzip and no version banner, and proxies the api', async () => {
    const index = await head(`${base}/`);
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers.server).toBe('nginx');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");

    const js = await head(`${base}/app.js`, { 'accept-encoding': 'gzip' });
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect((await head(`${base}/vendor/uPlot.esm.js`)).statusCode).toBe(200);

    const api = await head(`${base}/api/system/latest`);
    expect(api.statusCode).toBe(200);
    expect(api.headers['content-type']).toMatch(/application\/json/);
  });

  test('loads the dashboard through nginx and receives deltas and detail over the proxied WebSocket', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') errors.push(msg.text());
    });
    const received: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));
    const cell = (name: string, col: string) => page.locator(`#stream-list .rows .row[data-name="${name}"] .c-${col}`);
    // The charts keep what the page receives while a stream is open: open it first, then push ten
    // minutes of history (one sample every 20 s, dated in the past) through nginx.
    await page.goto(base);
    await eventually(async () => expect(await page.locator('#feed-state').textContent()).toBe('Live'));
    await writeStreams(stack.redis, demoStreams());
    await page.locator('#stream-list .rows .row[data-name="cam/studio-a"]').click();
    const start = Date.now() - 10 * 60_000;
    for (let i = 0; i < 29; i++) {
      const wave = Math.sin(i / 3);
      const streams = demoStreams().map((s) =>
        s.online ? { ...s, recvRateMbps: (s.recvRateMbps ?? 0) * (1 + 0.3 * wave), rtt: s.rtt === null ? null : s.rtt * (1 + 0.5 * Math.cos(i / 4)) } : s,
      );
      await writeStreams(stack.redis, streams, new Date(start + i * 20_000).toISOString());
      const expected = `${(1.94 * (1 + 0.3 * wave)).toFixed(2)} Mbit/s`;
      await eventually(async () => expect(await cell('cam/studio-a', 'recv').textContent()).toBe(expected));
    }
    expect(received.some((m) => m.startsWith('{"type":"streams.delta"'))).toBe(true);

    // The opened stream's detail arrives over the proxied socket.
    await eventually(async () => expect(await page.locator('#detail .conn').count()).toBe(3));
    expect(received.some((m) => m.startsWith('{"type":"detail"'))).toBe(true);
    await eventually(async () => expect(await page.locator('#detail .uplot').count()).toBe(2));
    await writeStreams(stack.redis, demoStreams());
    await eventually(async () =>
      expect(await page.locator('.c-thumb img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(4),
    );
    await page.screenshot({ path: '/tmp/dashboard.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: '/tmp/dashboard-light.png' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('nginx in front of the api, behind another proxy', () => {
  test('passes on the scheme a TLS proxy in front was reached by, else its own', async () => {
    const seen: (string | undefined)[] = [];
    const upstream = http.createServer((req, res) => {
      seen.push(req.headers['x-forwarded-proto'] as string | undefined);
      res.end('{}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const proxy = await startNginx({ apiUpstream: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`, root: PUBLIC_DIR });
    try {
      await head(`http://127.0.0.1:${proxy.port}/api/auth/me`);
      await head(`http://127.0.0.1:${proxy.port}/api/auth/me`, { 'x-forwarded-proto': 'https' });
      expect(seen).toEqual(['http', 'https']);
    } finally {
      await proxy.stop();
      upstream.close();
    }
  });
});
