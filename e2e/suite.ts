/**
 * The end-to-end suite: what an operator sees through the one published port (nginx), whatever
 * runs behind it. compose.e2e.ts points it at `docker compose up`, native.e2e.ts at the native
 * stack; both pass the same checks.
 */
import type { Browser } from 'playwright-core';
import type { StreamSummary } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { launchChromium } from '../services/web/test/support/browser';

export interface Target {
  /** nginx's address, e.g. http://127.0.0.1:8080 (no trailing slash). */
  base: string;
  /** The test pattern's MediaMTX path: published over SRT, read by at least one reader. */
  stream: string;
}

/** Long enough for the first collector cycles, SRT statistics and a snapshot interval on a busy host. */
const WAIT_MS = 90_000;

interface SnapshotEntry {
  node: string;
  name: string;
  takenAt: string;
  url: string;
  error?: string;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as T;
}

/** The same security headers, once each, on every answer of nginx, the proxied ones included. */
function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
}

export function stackSuite(target: () => Target): void {
  /** The test pattern as the api serves it, once it is online with SRT figures. */
  let stream: StreamSummary;

  test('the api answers through nginx: Redis reachable, collector and sysmon data fresh', async () => {
    const { base } = target();
    await eventually(async () => {
      const health = await getJson<{ redis: { reachable: boolean }; collector: { stale: boolean }; sysmon: { stale: boolean } }>(
        `${base}/api/health`,
      );
      expect(health.redis.reachable).toBe(true);
      expect(health.collector.stale).toBe(false);
      expect(health.sysmon.stale).toBe(false);
    }, WAIT_MS, 500);
  });

  test('the test-pattern stream appears online, published over SRT with RTT and link capacity, its readers counted', async () => {
    const { base, stream: name } = target();
    stream = await eventually(async () => {
      const streams = await getJson<StreamSummary[]>(`${base}/api/streams/latest`);
      const found = streams.find((s) => s.name === name);
      expect(found).toMatchObject({ name, online: true, sourceType: 'srtConn' });
      expect(found!.rtt).toBeGreaterThan(0);
      expect(found!.linkCapacityMbps).toBeGreaterThan(0);
      expect(found!.readers).toBeGreaterThanOrEqual(1);
      expect(found!.bytesReceived).toBeGreaterThan(0);
      return found!;
    }, WAIT_MS, 500);
    expect(stream.node).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(stream.tracks).toContain('H264');
    // The same stream, one node's view.
    const ofNode = await getJson<StreamSummary[]>(`${base}/api/streams/latest?node=${encodeURIComponent(stream.node)}`);
    expect(ofNode.map((s) => s.name)).toContain(name);
  });

  test('a thumbnail of it is taken and served as a JPEG', async () => {
    const { base } = target();
    const entry = await eventually(async () => {
      const entries = await getJson<SnapshotEntry[]>(`${base}/api/snapshots/latest`);
      const found = entries.find((e) => e.node === stream.node && e.name === stream.name);
      expect(found).toBeDefined();
      expect(found!.error).toBeUndefined();
      return found!;
    }, WAIT_MS, 500);
    expect(entry.url).toBe(`/api/snapshots/${encodeURIComponent(stream.node)}/${encodeURIComponent(stream.name)}.jpg`);
    const res = await fetch(`${base}${entry.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expectSecurityHeaders(res);
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(jpeg.length).toBeGreaterThan(1000);
  });

  test('/metrics loads through nginx: Prometheus text with the stream’s series and the security headers', async () => {
    const { base } = target();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expectSecurityHeaders(res);
    const text = await res.text();
    const series = text.split('\n').filter((line) => /^mediamtx_\w+\{/.test(line) && line.includes(`name="${stream.name}"`));
    expect(series.length).toBeGreaterThan(0);
    expect(series.every((line) => line.includes(`node="${stream.node}"`))).toBe(true);
  });

  describe('the dashboard in Chromium through nginx', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('loads, goes live and shows the stream with its thumbnail, without errors', async () => {
      const { base } = target();
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`${msg.text()} ${msg.location().url}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
      });
      const index = await page.goto(base);
      expect(index?.status()).toBe(200);
      await eventually(async () => expect(await page.locator('#feed-state').textContent()).toBe('Live'), 20_000);
      const row = page.locator(`#stream-list .row[data-name="${stream.name}"]`).first();
      await eventually(async () => expect(await row.count()).toBe(1), 20_000);
      await eventually(
        async () => expect(await row.locator('.c-thumb img').evaluateAll((imgs) => imgs.some((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true),
        30_000,
      );
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
