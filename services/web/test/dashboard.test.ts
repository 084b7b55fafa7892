import type { Browser, Page } from 'playwright-core';
import { StreamHistoryWriter } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { launchChromium } from './support/browser';
import { XSS_USER_AGENT, demoStreams, offlineStream, stream, systemSample, testJpeg, writeSnapshots, writeStreams, writeSystem } from './support/fixtures';
import { startStack, type Stack } from './support/stack';

/** The dashboard in real Chromium against the real api and redis-server. */
describe('dashboard served by the api', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const row = (name: string) => page.locator(`tbody.stream[data-name="${name}"]`);
  const cell = (name: string, col: string) => row(name).locator(`tr.row td.col-${col}`);

  beforeAll(async () => {
    stack = await startStack();
    await writeStreams(stack.redis, demoStreams());
    await writeSystem(stack.redis, systemSample());
    await writeSnapshots(stack.redis, ['cam/studio-a', 'cam/studio-b', 'lobby'], { 'webrtc/guest': 'rtsp: connection refused' }, testJpeg());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
  });

  afterEach(async () => {
    await page.close();
    expect(errors).toEqual([]);
  });

  test('renders streams with their fields, health badges, the offline state, thumbnails and host metrics', async () => {
    await page.goto(stack.base);
    await eventually(async () => expect(await page.locator('tbody.stream').count()).toBe(6));
    expect(await page.locator('#feed-state').textContent()).toBe('Live');

    expect(await cell('cam/studio-a', 'node').textContent()).toBe('node-a');
    expect(await cell('cam/studio-a', 'status').innerText()).toMatch(/^online\s+for 1 h 30 min$/);
    expect(await cell('cam/studio-a', 'source').textContent()).toBe('srtConn');
    expect(await cell('cam/studio-a', 'tracks').textContent()).toBe('H264, MPEG-4 Audio');
    expect(await cell('cam/studio-a', 'readers').textContent()).toBe('2');
    expect(await cell('cam/studio-a', 'recv').textContent()).toBe('1.94 Mbit/s');
    expect(await cell('cam/studio-a', 'send').textContent()).toBe('3.90 Mbit/s');
    expect(await cell('cam/studio-a', 'rtt').textContent()).toBe('0.36 ms');
    expect(await cell('cam/studio-a', 'link').textContent()).toBe('1808.6 Mbit/s');
    expect(await cell('event/main', 'rtt').textContent()).toBe('–');

    const ok = cell('cam/studio-a', 'health').locator('.badge');
    expect(await ok.textContent()).toBe('OK');
    expect(await ok.getAttribute('class')).toBe('badge badge-ok');
    const warn = cell('cam/studio-b', 'health').locator('.badge');
    expect(await warn.textContent()).toBe('WARN');
    expect(await warn.getAttribute('title')).toBe('SRT drop 3 packets in 10 s');
    const crit = cell('lobby', 'health').locator('.badge');
    expect(await crit.textContent()).toBe('CRIT');
    expect(await crit.getAttribute('class')).toBe('badge badge-crit');
    expect(await crit.getAttribute('title')).toBe('RTP lost 120 packets in 10 s\nreceive rate 0.31 Mbit/s below 0.5');
    expect(await cell('lobby', 'health').locator('.reason').textContent()).toBe('RTP lost 120 packets in 10 s (+1)');

    // Offline: greyed, with the time it went offline.
    expect(await row('backup').getAttribute('class')).toContain('offline');
    expect(await row('cam/studio-a').getAttribute('class')).not.toContain('offline');
    expect(await cell('backup', 'status').innerText()).toMatch(/^offline\s+since 5 min$/);
    const opacity = await cell('backup', 'name').evaluate((el) => Number(getComputedStyle(el).opacity));
    expect(opacity).toBeLessThan(1);

    // Thumbnails: a loaded JPEG from the api, and the snapshotter's error as text.
    const thumb = cell('cam/studio-a', 'thumb').locator('img');
    expect(await thumb.getAttribute('src')).toMatch(/\/api\/snapshots\/cam%2Fstudio-a\.jpg\?t=/);
    await eventually(async () => expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320));
    expect(await cell('webrtc/guest', 'thumb').locator('.snapshot-msg').textContent()).toBe('rtsp: connection refused');

    // Header and host panel.
    await eventually(async () => expect(await page.locator('#collector-state').textContent()).toBe('collector ok'));
    expect(await page.locator('#node-count').textContent()).toBe('2 nodes');
    expect(await page.locator('#count-crit').textContent()).toBe('1');
    const tiles = await page.locator('.tile').allInnerTexts();
    expect(tiles.join('\n')).toContain('38 %');
    expect(tiles.join('\n')).toContain('2.8 GB / 7.8 GB');
    expect(tiles.join('\n')).toContain('54.5 °C');
    expect(await page.locator('.cores .core').count()).toBe(4);
    expect(await page.locator('table.containers tbody tr').count()).toBe(2);
  });

  test('the detail of a stream lists its connections with the protocol block and draws the charts', async () => {
    const studio = demoStreams().find((s) => s.name === 'cam/studio-a')!;
    const writer = new StreamHistoryWriter(stack.redis, 3_600_000, 10_000);
    for (let i = 0; i < 3; i++) await writer.append([studio]);
    await page.goto(stack.base);
    const history = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await row('cam/studio-a').locator('button.toggle').click();
    const answer = await history;
    expect(new URL(answer.url()).searchParams.get('name')).toBe('cam/studio-a');
    expect((await answer.json()).points).toHaveLength(3);
    const detail = row('cam/studio-a').locator('.detail');
    await eventually(async () => expect(await detail.locator('.uplot').count()).toBe(2));
    expect(await detail.locator('h4').allTextContents()).toEqual(['Source', 'Readers (2)']);
    const source = detail.locator('.conn').first();
    expect(await source.locator('.conn-type').textContent()).toBe('srtConn');
    const kv = await source.locator('.kv-item').allInnerTexts();
    expect(kv).toContain('Remote address\n127.0.0.1:40123');
    expect(kv).toContain('Latency\n120 ms');
    const windows = await source.locator('.window-table tbody tr').allInnerTexts();
    expect(windows.map((r) => r.split('\t'))).toEqual([
      ['10 s', '5', '4', '3', '0', '0', '0.35 ms', '0.80 ms'],
      ['60 s', '14', '9', '3', '0', '0', '0.40 ms', '0.90 ms'],
    ]);
    expect(await detail.locator('.conn').count()).toBe(3);
    expect(await detail.locator('.snapshot-large img').count()).toBe(1);
  });

  test('text from the data is rendered as text, never as markup', async () => {
    const hostile = '<svg onload=window.__xss2=1>';
    await writeStreams(stack.redis, [...demoStreams(), stream('node-b', hostile, { health: { level: 'warn', reasons: ['<img src=y onerror=window.__xss3=1>'] } })]);
    await page.goto(stack.base);
    await row('cam/studio-a').locator('button.toggle').click();
    const agents = row('cam/studio-a').locator('.conn .kv-item', { hasText: 'User agent' }).locator('dd');
    await eventually(async () => expect(await agents.allTextContents()).toContain(XSS_USER_AGENT));
    expect(await page.locator(`tbody.stream[data-name="${hostile}"] .stream-name`).textContent()).toBe(hostile);
    expect(await page.locator(`tbody.stream[data-name="${hostile}"] .reason`).textContent()).toBe('<img src=y onerror=window.__xss3=1>');
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"], img[src="y"], svg[onload], [onerror]').length)).toBe(0);
    expect(await page.evaluate(() => [(window as any).__xss, (window as any).__xss2, (window as any).__xss3])).toEqual([undefined, undefined, undefined]);
    await writeStreams(stack.redis, demoStreams());
  });

  test('a pushed update appears without a reload, updating rows in place', async () => {
    await page.goto(stack.base);
    await eventually(async () => expect(await cell('cam/studio-a', 'readers').textContent()).toBe('2'));
    await page.evaluate(() => {
      (window as any).__sameDocument = true;
      (window as any).__rowBefore = document.querySelector('tbody.stream[data-name="cam/studio-a"]');
    });

    const next = demoStreams().map((s) =>
      s.name === 'cam/studio-a'
        ? { ...s, readers: 7, recvRateMbps: 2.5, health: { level: 'crit' as const, reasons: ['SRT RTT 480 ms above 300 ms'] } }
        : s.name === 'backup'
          ? offlineStream('node-b', 'backup')
          : s,
    );
    next.push(stream('node-b', 'new/arrival'));
    await writeStreams(stack.redis, next);
    await writeSystem(stack.redis, systemSample({ cpu_percent: 91.2 }));

    await eventually(async () => expect(await cell('cam/studio-a', 'readers').textContent()).toBe('7'));
    expect(await cell('cam/studio-a', 'recv').textContent()).toBe('2.50 Mbit/s');
    expect(await cell('cam/studio-a', 'health').locator('.badge').textContent()).toBe('CRIT');
    expect(await row('new/arrival').count()).toBe(1);
    await eventually(async () => expect(await page.locator('.tile').first().innerText()).toContain('91 %'));
    expect(
      await page.evaluate(() => (window as any).__sameDocument === true && (window as any).__rowBefore === document.querySelector('tbody.stream[data-name="cam/studio-a"]')),
    ).toBe(true);
    await writeStreams(stack.redis, demoStreams());
  });

  test('filters by text and by ?node=, keeping the filter in the URL', async () => {
    await page.goto(`${stack.base}/?node=node-b`);
    await eventually(async () => expect(await page.locator('tbody.stream').count()).toBe(2));
    expect(await page.locator('#node-filter').inputValue()).toBe('node-b');
    expect(await page.locator('tbody.stream').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.node))).toEqual(['node-b', 'node-b']);

    await page.selectOption('#node-filter', '');
    await page.fill('#filter', 'studio');
    await eventually(async () => expect(await page.locator('tbody.stream').count()).toBe(2));
    expect(new URL(page.url()).searchParams.get('q')).toBe('studio');
    expect(new URL(page.url()).searchParams.get('node')).toBeNull();
    expect(await page.locator('#count-shown').textContent()).toBe('2 of 6');
  });

  test('with 300 streams, a push that changes one stream touches only that row', async () => {
    const many = Array.from({ length: 300 }, (_, i) => stream(`node-${i % 3}`, `bulk/${String(i).padStart(3, '0')}`, { readers: i % 5 }));
    await writeStreams(stack.redis, many);
    await page.goto(stack.base);
    await eventually(async () => expect(await page.locator('tbody.stream').count()).toBe(300));
    await page.evaluate(() => {
      const touched = new Set<string>();
      (window as any).__touched = touched;
      new MutationObserver((records) => {
        for (const r of records) {
          const target = r.target instanceof Element ? r.target : r.target.parentElement;
          touched.add(target?.closest('tbody.stream')?.getAttribute('data-name') ?? (target?.closest('thead') ? 'thead' : 'other'));
        }
      }).observe(document.querySelector('table.streams')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await writeStreams(stack.redis, many.map((s) => (s.name === 'bulk/123' ? { ...s, readers: 99 } : s)));
    await eventually(async () => expect(await cell('bulk/123', 'readers').textContent()).toBe('99'));
    expect(await page.evaluate(() => [...(window as any).__touched])).toEqual(['bulk/123']);
    await writeStreams(stack.redis, demoStreams());
  });

  test('polls the REST endpoints every 5 s while the WebSocket is down', async () => {
    await page.routeWebSocket(/\/api\/ws$/, (ws) => ws.close());
    await page.goto(stack.base);
    await eventually(async () => expect(await page.locator('tbody.stream').count()).toBe(6));
    expect(await page.locator('#feed-state').textContent()).toBe('Polling');

    await writeStreams(stack.redis, demoStreams().map((s) => (s.name === 'lobby' ? { ...s, readers: 42 } : s)));
    await eventually(async () => expect(await cell('lobby', 'readers').textContent()).toBe('42'), 15000);
    await writeStreams(stack.redis, demoStreams());
  });
});
