import type { Browser, Page, Response } from 'playwright-core';
import { HostHistoryWriter, StreamHistoryWriter, historyTiers } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { launchChromium } from './support/browser';
import { demoStreams, systemSample, writeStreams, writeSystem } from './support/fixtures';
import { startStack, type Stack } from './support/stack';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** What a chart holds: its uPlot data (t, then avg, min, max per metric), read through the element's test hook. */
interface ChartData {
  t: number[];
  series: (number | null)[][];
}

/**
 * The range charts in real Chromium against the real api and redis-server; history is written
 * with the collector's and sysmon's writers (the default tiers) on a scripted clock.
 */
describe('range charts', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** The newest history sample: the last whole minute but one. */
  const end = Date.now() - (Date.now() % MIN) - MIN;
  const start = end - 24 * HOUR + MIN;
  const spikeAt = start + 12 * HOUR;
  const downFrom = start + 3 * HOUR;
  const offlineFrom = start + 6 * HOUR;

  const chartData = (selector: string): Promise<ChartData> =>
    page.locator(selector).evaluate((el) => {
      const [t, ...series] = (el as unknown as { uplot: { data: (number | null)[][] } }).uplot.data;
      return { t: t as number[], series };
    });
  const maxOf = (values: (number | null)[]) => Math.max(...values.filter((v): v is number => v !== null));

  async function open(viewport = { width: 1400, height: 900 }): Promise<void> {
    page = await browser.newPage({ viewport });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(stack.base);
  }

  /** The range a history request asked for, in ms, and its maxPoints. */
  function asked(res: Response): { spanMs: number; maxPoints: number } {
    const q = new URL(res.url()).searchParams;
    return { spanMs: Number(q.get('to')) - Number(q.get('from')), maxPoints: Number(q.get('maxPoints')) };
  }

  beforeAll(async () => {
    stack = await startStack();
    await writeStreams(stack.redis, demoStreams());
    await writeSystem(stack.redis, systemSample());
    // 24 h of cam/studio-b, a sample a minute (three in the spike's minute), an hour without the
    // collector (a gap) and half an hour offline.
    const studio = demoStreams().find((s) => s.name === 'cam/studio-b')!;
    const streams = new StreamHistoryWriter(stack.redis, historyTiers({}));
    for (let t = start; t <= end; t += MIN) {
      if (t >= downFrom && t < downFrom + HOUR) continue;
      const online = !(t >= offlineFrom && t < offlineFrom + 30 * MIN);
      const sample = online ? { ...studio, rtt: 20 } : { ...studio, online: false, rtt: null, recvRateMbps: null };
      await streams.append([sample], t);
      if (t === spikeAt) {
        await streams.append([{ ...studio, rtt: 900 }], t + 20_000);
        await streams.append([{ ...studio, rtt: 20 }], t + 40_000);
      }
    }
    // Two hours of the host, a sample a minute, one CPU spike.
    const host = new HostHistoryWriter(stack.redis, historyTiers({}));
    for (let t = end - 2 * HOUR; t <= end; t += MIN) {
      await host.append({ cpu_percent: t === end - HOUR ? 95 : 20, ram_used_mb: 2800, net_in_mbps: 40, net_out_mbps: 120, load: 0.5 }, t);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(() => {
    errors = [];
  });

  afterEach(async () => {
    await page?.close();
    expect(errors).toEqual([]);
  });

  test("a stream's 24 h chart has its buckets, the RTT spike as the band's max, the gap, the offline time shaded, and grows live", async () => {
    await open();
    const row = page.locator('#stream-list .rows .row[data-name="cam/studio-b"]');
    const first = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await row.click();
    const quarter = asked(await first);
    expect(quarter.spanMs).toBe(15 * MIN);
    const charts = page.locator('#detail .charts');
    await eventually(async () => expect(await charts.locator('.uplot').count()).toBe(2));
    const width = await charts.locator('.chart[data-metric="recvRateMbps"]').evaluate((el) => el.clientWidth);
    expect(quarter.maxPoints).toBe(Math.min(500, Math.floor(width)));
    expect(await charts.locator('button.range').allTextContents()).toEqual(['15 min', '1 h', '24 h', '7 d', '30 d']);
    expect(await charts.getAttribute('data-range')).toBe('15m');

    const day = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await charts.locator('button.range', { hasText: '24 h' }).click();
    const answer = await day;
    const { spanMs, maxPoints } = asked(answer);
    expect(spanMs).toBe(24 * HOUR);
    expect(maxPoints).toBe(Math.min(500, Math.floor(width)));
    const body = (await answer.json()) as { resolutionMs: number; points: { t: number; online: number; max: { rtt: number | null } }[] };
    expect(body.points.length).toBeGreaterThan(100);
    expect(body.points.length).toBeLessThanOrEqual(maxPoints);
    expect(await charts.locator('button.range[aria-pressed="true"]').textContent()).toBe('24 h');
    await eventually(async () => expect(await charts.getAttribute('data-resolution-ms')).toBe(String(body.resolutionMs)));
    expect(await charts.locator('.range-status').textContent()).toMatch(/^\d+ min buckets$/);

    // Every point, plus one gap row where the collector was down; the spike is the band's max, not the average.
    const rtt = await chartData('#detail .chart[data-metric="rtt"]');
    expect(rtt.t).toEqual(expect.arrayContaining(body.points.map((p) => p.t / 1000)));
    expect(rtt.t).toHaveLength(body.points.length + 1);
    const [avg, min, max] = rtt.series;
    expect([avg.length, min.length, max.length]).toEqual([rtt.t.length, rtt.t.length, rtt.t.length]);
    expect(maxOf(max)).toBe(900);
    expect(maxOf(avg)).toBeLessThan(900);
    const gap = rtt.t.findIndex((t, i) => !body.points.some((p) => p.t / 1000 === t) && avg[i] === null);
    expect(rtt.t[gap] * 1000).toBeGreaterThanOrEqual(downFrom - body.resolutionMs);
    expect(rtt.t[gap] * 1000).toBeLessThan(downFrom + HOUR);
    // The offline half hour: its buckets are shaded.
    const offline = body.points.filter((p) => p.online < 1).length;
    expect(offline).toBeGreaterThanOrEqual(Math.floor((30 * MIN) / body.resolutionMs));
    expect(await charts.getAttribute('data-shaded')).toBe(String(offline));

    // Live: the stream's next summary is merged into the current bucket.
    await writeStreams(
      stack.redis,
      demoStreams().map((s) => (s.name === 'cam/studio-b' ? { ...s, rtt: 1234 } : s)),
    );
    await eventually(async () => expect(maxOf((await chartData('#detail .chart[data-metric="rtt"]')).series[2])).toBe(1234));
    const live = await chartData('#detail .chart[data-metric="rtt"]');
    // The bucket holding the summary's time (a moment ago), started at most one bucket before it.
    expect(Date.now() - live.t.at(-1)! * 1000).toBeLessThan(body.resolutionMs + MIN);
    expect(live.series[2].at(-1)).toBe(1234);

    // 15 min again: the live points are appended one by one.
    const back = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await charts.locator('button.range', { hasText: '15 min' }).click();
    expect(asked(await back).spanMs).toBe(15 * MIN);
    await eventually(async () => expect(await charts.getAttribute('data-resolution-ms')).toBe('10000'));
    const before = (await chartData('#detail .chart[data-metric="recvRateMbps"]')).t.length;
    await writeStreams(
      stack.redis,
      demoStreams().map((s) => (s.name === 'cam/studio-b' ? { ...s, rtt: 30, recvRateMbps: 7.25 } : s)),
    );
    await eventually(async () => expect((await chartData('#detail .chart[data-metric="recvRateMbps"]')).series[0].at(-1)).toBe(7.25));
    expect((await chartData('#detail .chart[data-metric="recvRateMbps"]')).t.length).toBeGreaterThan(before);
  });

  test('the host panel charts CPU, memory, network and load from /api/history/system per range, live from the system messages', async () => {
    await open();
    const host = page.locator('.host');
    const first = page.waitForResponse((r) => r.url().includes('/api/history/system?'));
    await host.locator('summary').click();
    expect(asked(await first).spanMs).toBe(15 * MIN);
    const charts = host.locator('.host-charts .charts');
    await eventually(async () => expect(await charts.locator('.uplot').count()).toBe(4));
    expect(await charts.locator('.u-title').allTextContents()).toEqual(['CPU', 'Memory used', 'Network', 'Load (1 min)']);

    const hours = page.waitForResponse((r) => r.url().includes('/api/history/system?'));
    await charts.locator('button.range', { hasText: '24 h' }).click();
    const answer = await hours;
    expect(asked(answer).spanMs).toBe(24 * HOUR);
    const body = (await answer.json()) as { points: { t: number }[] };
    expect(body.points.length).toBeGreaterThan(10);
    await eventually(async () => expect((await chartData('.host-charts .chart[data-metric="cpu_percent"]')).t).toHaveLength(body.points.length));
    const cpu = await chartData('.host-charts .chart[data-metric="cpu_percent"]');
    expect(maxOf(cpu.series[2])).toBe(95);
    const net = await chartData('.host-charts .chart[data-metric="net_in_mbps"]');
    expect(net.series).toHaveLength(6);
    expect(maxOf(net.series[3])).toBe(120);

    // A new host sample reaches the chart.
    await writeSystem(stack.redis, systemSample({ cpu_percent: 66, sampledAt: new Date().toISOString() }));
    await eventually(async () => expect((await chartData('.host-charts .chart[data-metric="cpu_percent"]')).series[2].at(-1)).toBe(66));

    // Closed: the charts are gone.
    await host.locator('summary').click();
    await eventually(async () => expect(await page.locator('.host-charts .uplot').count()).toBe(0));
  });

  test('on a phone (390x844) the range buttons and charts fit the screen, in both colour schemes', async () => {
    await open({ width: 390, height: 844 });
    await page.locator('#stream-list .rows .row[data-name="cam/studio-b"]').click();
    const charts = page.locator('#detail .charts');
    await eventually(async () => expect(await charts.locator('.uplot').count()).toBe(2));
    const month = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await charts.locator('button.range', { hasText: '30 d' }).click();
    expect(asked(await month).spanMs).toBe(30 * 24 * HOUR);
    await eventually(async () => expect(await charts.getAttribute('data-range')).toBe('30d'));
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      await eventually(async () => expect(await charts.locator('.uplot').count()).toBe(2));
      for (const box of [...(await charts.locator('button.range').all()), ...(await charts.locator('.uplot').all())]) {
        const b = (await box.boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(390);
      }
      expect(await page.locator('#detail').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    // The pressed button stands out from the others.
    const [pressed, other] = await Promise.all(
      ['30 d', '7 d'].map((label) => charts.locator('button.range', { hasText: label }).evaluate((el) => getComputedStyle(el).borderColor)),
    );
    expect(pressed).not.toBe(other);
  });
});
