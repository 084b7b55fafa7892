import type { Browser, Page } from 'playwright-core';
import { AlertStore, StreamHistoryWriter, alertId, keys, type AlertRecord, type Stream } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { launchChromium } from './support/browser';
import { XSS_USER_AGENT, demoStreams, hlsReader, stream, systemSample, testJpeg, writeSnapshots, writeStreams, writeSystem } from './support/fixtures';
import { startStack, type Stack } from './support/stack';

/** An alert as the alerter stores it (subject: a stream, a node, or {} for the host). */
function alertRecord(rule: string, state: AlertRecord['state'], severity: AlertRecord['severity'], subject: AlertRecord['subject'], summary: string): AlertRecord {
  const at = new Date(Date.now() - 125_000).toISOString();
  return {
    id: alertId(rule, subject),
    rule,
    kind: subject.name ? 'stream.offline' : subject.node ? 'node.stale' : 'host.cpu.above',
    severity,
    subject,
    state,
    activeAt: at,
    firedAt: state === 'firing' ? at : null,
    clearSince: null,
    seenAt: at,
    value: null,
    threshold: null,
    summary,
    notifiedAt: null,
    lastJobs: {},
  };
}

/** Moves alerts as the alerter does (compare and set, one announcement): each [before, after], null for none. */
async function changeAlerts(store: AlertStore, changes: [AlertRecord | null, AlertRecord | null][]): Promise<void> {
  const applied = await store.apply(
    changes.map(([prev, next]) => ({ id: (next ?? prev)!.id, expect: prev && JSON.stringify(prev), next, event: null, jobs: [], stateChanged: true })),
    100,
    new Date().toISOString(),
  );
  expect(applied).toHaveLength(changes.length);
}

/**
 * The dashboard in real Chromium against the real api and redis-server; the data is written with
 * the collectors' StreamStore.publishNode, so the page gets the api's real deltas.
 */
describe('dashboard served by the api', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** The WebSocket frames of the current page: sent by the page, received by it. */
  let sent: string[];
  let received: string[];

  const row = (name: string, node?: string) => page.locator(`#stream-list .rows .row[data-name="${name}"]${node ? `[data-node="${node}"]` : ''}`);
  const cell = (name: string, col: string) => row(name).locator(`.c-${col}`);
  const pane = () => page.locator('#detail .detail');
  /** The names of the rows in the DOM, top to bottom (rows are positioned, not ordered, in the DOM). */
  const shownNames = () =>
    page.locator('#stream-list .rows .row').evaluateAll((rows) =>
      rows
        .map((r) => ({ name: (r as HTMLElement).dataset.name!, top: r.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.name),
    );

  async function open(url = stack.base, viewport = { width: 1400, height: 900 }): Promise<void> {
    page = await browser.newPage({ viewport });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => sent.push(String(f.payload)));
      ws.on('framereceived', (f) => received.push(String(f.payload)));
    });
    await page.goto(url);
  }

  beforeAll(async () => {
    stack = await startStack();
    await writeStreams(stack.redis, demoStreams());
    await writeSystem(stack.redis, systemSample());
    const jpeg = testJpeg();
    await writeSnapshots(stack.redis, [
      { node: 'node-a', name: 'cam/studio-a', jpeg },
      { node: 'node-a', name: 'cam/studio-b', jpeg },
      { node: 'node-b', name: 'lobby', jpeg },
      { node: 'node-a', name: 'webrtc/guest', error: 'rtsp: connection refused' },
    ]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(() => {
    errors = [];
    sent = [];
    received = [];
  });

  afterEach(async () => {
    await page?.close();
    await writeStreams(stack.redis, demoStreams());
    // Alerts a failed test left behind are gone before the next page opens (the api reads them again on the announcement).
    if (await stack.redis.del(keys.alertsState)) await stack.redis.publish(keys.updates, JSON.stringify({ kind: 'alerts', at: new Date().toISOString() }));
    expect(errors).toEqual([]);
  });

  test('renders the overview worst first with its fields, counts over every stream, thumbnails and the host line', async () => {
    await open();
    await eventually(async () => expect(await shownNames()).toEqual(['lobby', 'cam/studio-b', 'cam/studio-a', 'event/main', 'webrtc/guest', 'backup']));
    expect(await page.locator('#feed-state').textContent()).toBe('Live');

    expect(await cell('cam/studio-a', 'node').textContent()).toBe('node-a');
    // The fixtures' times count from the test module's start: a slow run may have moved on a minute or two.
    expect(await cell('cam/studio-a', 'status').textContent()).toMatch(/^online for 1 h 3[0-2] min$/);
    expect(await cell('cam/studio-a', 'proto').textContent()).toBe('srt');
    expect(await cell('cam/studio-a', 'video').textContent()).toBe('H264 1920×1080');
    expect(await cell('cam/studio-a', 'readers').textContent()).toBe('2');
    expect(await cell('cam/studio-a', 'recv').textContent()).toBe('1.94 Mbit/s');
    expect(await cell('cam/studio-a', 'send').textContent()).toBe('3.90 Mbit/s');
    expect(await cell('cam/studio-a', 'rtt').textContent()).toBe('0.36 ms');
    expect(await cell('cam/studio-a', 'link').textContent()).toBe('1808.6 Mbit/s');
    expect(await cell('cam/studio-a', 'srt').textContent()).toBe('5 / 3');
    expect(await cell('event/main', 'proto').textContent()).toBe('rtmp');
    expect(await cell('event/main', 'rtt').textContent()).toBe('–');

    const ok = cell('cam/studio-a', 'health').locator('.badge');
    expect(await ok.textContent()).toBe('OK');
    expect(await ok.getAttribute('class')).toBe('badge badge-ok');
    const warn = cell('cam/studio-b', 'health').locator('.badge');
    expect(await warn.textContent()).toBe('WARN');
    expect(await warn.getAttribute('title')).toBe('SRT drop 3 packets in 10 s');
    const crit = cell('lobby', 'health').locator('.badge');
    expect(await crit.getAttribute('class')).toBe('badge badge-crit');
    expect(await crit.getAttribute('title')).toBe('RTP lost 120 packets in 10 s\nreceive rate 0.31 Mbit/s below 0.5');
    expect(await cell('lobby', 'reason').textContent()).toBe('RTP lost 120 packets in 10 s (+1)');

    // Offline: greyed, with the time it went offline.
    expect(await row('backup').getAttribute('class')).toContain('offline');
    expect(await row('cam/studio-a').getAttribute('class')).not.toContain('offline');
    expect(await cell('backup', 'status').textContent()).toMatch(/^offline since [5-7] min$/);
    expect(await cell('backup', 'name').evaluate((el) => Number(getComputedStyle(el).opacity))).toBeLessThan(1);

    // The counts cover every stream.
    expect(await page.locator('.summary').innerText()).toMatch(/Online\s+5\s+Offline\s+1\s+Warn\s+1\s+Crit\s+1\s+Readers\s+17\s+Ingest\s+14\.4 Mbit\/s\s+Shown\s+6/);

    // Thumbnails: a JPEG from the api under node and name, and the snapshotter's error as text.
    const thumb = cell('cam/studio-a', 'thumb').locator('img');
    expect(await thumb.getAttribute('src')).toMatch(/\/api\/snapshots\/node-a\/cam%2Fstudio-a\.jpg\?t=/);
    await eventually(async () => expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320));
    expect(await cell('webrtc/guest', 'thumb').locator('.snapshot-msg').textContent()).toBe('rtsp: connection refused');
    // Switched off: no thumbnail column.
    await page.locator('#thumbs').uncheck();
    await eventually(async () => expect(await cell('cam/studio-a', 'thumb').isVisible()).toBe(false));

    // Header, and the host: one compact line that opens the full panel.
    await eventually(async () => expect(await page.locator('#collector-state').textContent()).toBe('collector ok'));
    expect(await page.locator('#node-count').textContent()).toBe('2 nodes');
    await eventually(async () => expect(await page.locator('.host summary').innerText()).toMatch(/CPU 38 %.*RAM 36 %.*Load 1\.21.*Temp 54\.5 °C.*Disk 51 %/s));
    expect(await page.locator('.tile').first().isVisible()).toBe(false);
    await page.locator('.host summary').click();
    await eventually(async () => expect((await page.locator('.tile').allInnerTexts()).join('\n')).toContain('2.8 GB / 7.8 GB'));
    expect(await page.locator('.cores .core').count()).toBe(4);
    expect(await page.locator('table.containers tbody tr').count()).toBe(2);
    expect(await page.title()).toBe('(1 crit) MediaMTX Monitor');
  });

  test('opening a stream loads its detail (connections, SRT windows, charts, large thumbnail) and closing drops it', async () => {
    const studio = demoStreams().find((s) => s.name === 'cam/studio-a')!;
    // Three finished 10 s buckets of history (a bucket is written once the next one starts).
    const writer = new StreamHistoryWriter(stack.redis, [{ resolutionMs: 10_000, retentionMs: 3_600_000 }]);
    for (let i = 4; i >= 1; i--) await writer.append([studio], Date.now() - i * 10_000);
    await open();
    const history = page.waitForResponse((r) => r.url().includes('/api/history?'));
    await row('cam/studio-a').click();
    const answer = await history;
    expect(new URL(answer.url()).searchParams.get('name')).toBe('cam/studio-a');
    expect((await answer.json()).points).toHaveLength(3);
    expect(new URL(page.url()).searchParams.get('open')).toBe('node-a/cam/studio-a');

    const detail = pane();
    expect(await detail.locator('.detail-title').textContent()).toBe('cam/studio-a');
    await eventually(async () => expect(await detail.locator('.uplot').count()).toBe(2));
    await eventually(async () => expect(await detail.locator('h4').allTextContents()).toEqual(['Source', 'Readers (2)']));
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
    await eventually(async () => expect(await detail.locator('.snapshot-large img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320));

    // Subscribed over the WebSocket: the api watches the stream, and its new detail arrives live.
    expect(sent).toContain(JSON.stringify({ type: 'detail', streams: [{ node: 'node-a', name: 'cam/studio-a' }] }));
    await eventually(async () => expect(await stack.redis.zrange(keys.nodeWatch('node-a'), '0', '-1')).toEqual(['cam/studio-a']));
    const third = hlsReader('d00d0000-0000-4000-8000-000000000003', 'VLC/3.0.20', { remoteAddr: '127.0.0.1:52003' });
    await writeStreams(
      stack.redis,
      demoStreams().map((s) => (s.name === 'cam/studio-a' ? { ...s, readers: 3, readerList: [...s.readerList, third] } : s)),
    );
    await eventually(async () => expect(await detail.locator('h4').allTextContents()).toEqual(['Source', 'Readers (3)']));
    expect(await detail.locator('.kv-item', { hasText: 'Readers' }).first().innerText()).toBe('Readers\n3');

    // Closed: the pane, its charts and its subscription are gone.
    await detail.locator('button.close').click();
    expect(await page.locator('#detail').isHidden()).toBe(true);
    expect(await page.locator('.detail, .uplot, .conn').count()).toBe(0);
    expect(sent[sent.length - 1]).toBe(JSON.stringify({ type: 'detail', streams: [] }));
    expect(new URL(page.url()).searchParams.get('open')).toBeNull();
  });

  test('text from the data is rendered as text, never as markup', async () => {
    const hostile = '<svg onload=window.__xss2=1>';
    await writeStreams(stack.redis, [...demoStreams(), stream('node-b', hostile, { health: { level: 'warn', reasons: ['<img src=y onerror=window.__xss3=1>'] } })]);
    await open();
    await row('cam/studio-a').click();
    const agents = pane().locator('.conn .kv-item', { hasText: 'User agent' }).locator('dd');
    await eventually(async () => expect(await agents.allTextContents()).toContain(XSS_USER_AGENT));
    expect(await cell(hostile, 'name').textContent()).toBe(hostile);
    expect(await cell(hostile, 'reason').textContent()).toBe('<img src=y onerror=window.__xss3=1>');
    await row(hostile).click();
    await eventually(async () => expect(await pane().locator('.detail-title').textContent()).toBe(hostile));
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"], img[src="y"], svg[onload], [onerror]').length)).toBe(0);
    expect(await page.evaluate(() => [(window as any).__xss, (window as any).__xss2, (window as any).__xss3])).toEqual([undefined, undefined, undefined]);
  });

  test('alerts: firing ones in a banner at the top (text only), a mark on the affected rows and the host line, gone once resolved', async () => {
    const store = new AlertStore(stack.redis);
    const hostile = 'stream lobby on node node-b: offline <img src=z onerror=window.__xss4=1>';
    const lobby = alertRecord('contribution-offline', 'firing', 'crit', { node: 'node-b', name: 'lobby' }, hostile);
    const studio = alertRecord('slow-ingest', 'pending', 'warn', { node: 'node-a', name: 'cam/studio-b' }, 'stream cam/studio-b on node node-a: receive rate 0.3 Mbit/s below 1');
    const cpu = alertRecord('busy-host', 'firing', 'warn', {}, 'host: CPU 97 % above 90');
    await changeAlerts(store, [
      [null, lobby],
      [null, studio],
      [null, cpu],
    ]);
    await open();
    const banner = page.locator('#alerts');
    await eventually(async () => expect(await banner.locator('.alert').count()).toBe(2));
    expect(await banner.isVisible()).toBe(true);
    // Above the host line and the streams; in the api's order (crit first), with severity, summary as text and for how long.
    const [bannerBox, hostBox] = [await banner.boundingBox(), await page.locator('.host').boundingBox()];
    expect(bannerBox!.y).toBeLessThan(hostBox!.y);
    expect(await banner.locator('.alert .badge').allTextContents()).toEqual(['CRIT', 'WARN']);
    expect(await banner.locator('.alert-summary').allTextContents()).toEqual([hostile, 'host: CPU 97 % above 90']);
    expect(await banner.locator('.alert-since').first().textContent()).toMatch(/^for 2 min$/);
    expect(await page.evaluate(() => [document.querySelectorAll('img[src="z"]').length, (window as any).__xss4])).toEqual([0, undefined]);
    // The pending one is only counted in the header.
    expect(await page.locator('#alert-state').textContent()).toBe('Alerts: 2 firing, 1 pending');
    expect(await page.locator('#alert-state').getAttribute('class')).toBe('pill pill-crit');

    // Marks: the lobby's row (firing, crit), cam/studio-b's (pending), none elsewhere; the host line.
    const mark = (name: string) => cell(name, 'health').locator('.alert-mark');
    await eventually(async () => expect(await mark('lobby').isVisible()).toBe(true));
    expect(await mark('lobby').getAttribute('class')).toBe('alert-mark alert-firing sev-crit');
    expect(await mark('lobby').getAttribute('title')).toBe(`firing: ${hostile}`);
    expect(await mark('cam/studio-b').getAttribute('class')).toBe('alert-mark alert-pending sev-warn');
    expect(await mark('cam/studio-a').isVisible()).toBe(false);
    expect(await page.locator('.host summary .alert-mark').getAttribute('class')).toBe('alert-mark alert-firing sev-warn');
    // Readable in both colour schemes: the filled mark's colours are the crit badge's.
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      const [markColors, badgeColors] = await Promise.all(
        [mark('lobby'), cell('lobby', 'health').locator('.badge')].map((l) => l.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])),
      );
      expect(markColors).toEqual(badgeColors);
    }

    // A stream's alert opens that stream.
    await banner.locator('.alert', { hasText: 'lobby' }).click();
    await eventually(async () => expect(await pane().locator('.detail-title').textContent()).toBe('lobby'));
    await page.keyboard.press('Escape');

    // A node's alert marks every stream of that node.
    const stale = alertRecord('node-stale', 'firing', 'crit', { node: 'node-a' }, 'node node-a: no answer for 45 s');
    await changeAlerts(store, [[null, stale]]);
    await eventually(async () => expect(await mark('cam/studio-a').isVisible()).toBe(true));
    for (const name of ['cam/studio-a', 'cam/studio-b', 'event/main', 'webrtc/guest']) expect(await mark(name).getAttribute('class')).toBe('alert-mark alert-firing sev-crit');
    expect(await mark('cam/studio-b').getAttribute('title')).toBe(`pending: ${studio.summary}\nfiring: ${stale.summary}`);
    expect(await mark('backup').isVisible()).toBe(false);

    // Resolved (the records removed): the banner, the count and every mark go.
    await changeAlerts(store, [
      [lobby, null],
      [studio, null],
      [cpu, null],
      [stale, null],
    ]);
    await eventually(async () => expect(await banner.isVisible()).toBe(false));
    expect(await page.locator('#alert-state').isVisible()).toBe(false);
    expect(await page.locator('.alert-mark:visible').count()).toBe(0);
  });

  test('on a phone the alert banner and marks fit the screen, and many firing alerts stay compact', async () => {
    const store = new AlertStore(stack.redis);
    const many = Array.from({ length: 8 }, (_, i) =>
      alertRecord('offline', 'firing', 'crit', { node: 'node-x', name: `gone/${i}` }, `stream gone/${i} on node node-x: offline for a rather long while, its summary running past the screen`),
    );
    const lobby = alertRecord('offline', 'firing', 'crit', { node: 'node-b', name: 'lobby' }, 'stream lobby on node node-b: offline');
    await changeAlerts(store, [...many, lobby].map((a) => [null, a]));
    await open(stack.base, { width: 390, height: 844 });
    const banner = page.locator('#alerts');
    await eventually(async () => expect(await banner.locator('.alert').count()).toBe(3));
    expect(await banner.locator('.alert-more').textContent()).toBe('+6 more');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth)).toBe(true);
    const markBox = (await cell('lobby', 'health').locator('.alert-mark').boundingBox())!;
    expect(markBox.x + markBox.width).toBeLessThanOrEqual(390);
    // The streams still start within the first screen.
    const firstRow = (await page.locator('#stream-list .rows .row').first().boundingBox())!;
    expect(firstRow.y + firstRow.height).toBeLessThanOrEqual(844);
    await banner.locator('.alert-more').click();
    await eventually(async () => expect(await banner.locator('.alert').count()).toBe(9));
    expect(await banner.locator('.alert-more').textContent()).toBe('fewer');
    await changeAlerts(store, [...many, lobby].map((a) => [a, null]));
    await eventually(async () => expect(await banner.isVisible()).toBe(false));
  });

  test('deltas update a changed row in place and touch no other, add and remove rows', async () => {
    await open();
    await eventually(async () => expect(await cell('cam/studio-a', 'readers').textContent()).toBe('2'));
    // The thumbnails come in their own message, which may follow the streams: wait for them before watching the rows.
    await eventually(async () => expect(await cell('webrtc/guest', 'thumb').locator('.snapshot-msg').textContent()).toBe('rtsp: connection refused'));
    for (const name of ['cam/studio-a', 'cam/studio-b', 'lobby']) {
      await eventually(async () => expect(await cell(name, 'thumb').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320));
    }
    await page.evaluate(() => {
      const touched = new Set<string>();
      (window as any).__touched = touched;
      (window as any).__rowBefore = document.querySelector('.rows .row[data-name="cam/studio-a"]');
      new MutationObserver((records) => {
        for (const r of records) {
          const target = r.target instanceof Element ? r.target : r.target.parentElement;
          touched.add(target?.closest('.row')?.getAttribute('data-name') ?? 'other');
        }
      }).observe(document.querySelector('#stream-list .rows')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await writeStreams(stack.redis, demoStreams().map((s) => (s.name === 'cam/studio-a' ? { ...s, readers: 7, recvRateMbps: 2.5 } : s)));
    await eventually(async () => expect(await cell('cam/studio-a', 'readers').textContent()).toBe('7'));
    expect(await cell('cam/studio-a', 'recv').textContent()).toBe('2.50 Mbit/s');
    expect(await page.evaluate(() => [...(window as any).__touched])).toEqual(['cam/studio-a']);
    expect(await page.evaluate(() => (window as any).__rowBefore === document.querySelector('.rows .row[data-name="cam/studio-a"]'))).toBe(true);
    // It came as a delta with only what changed.
    const delta = received.map((m) => JSON.parse(m)).find((m) => m.type === 'streams.delta' && m.changed.some((c: any) => c.name === 'cam/studio-a'));
    expect(delta.changed).toEqual([{ node: 'node-a', name: 'cam/studio-a', readers: 7, recvRateMbps: 2.5 }]);
    expect(await page.locator('#count-readers').textContent()).toBe('22');

    // A health flip moves the row up; a removed stream disappears (its open detail says so); a new one appears.
    await row('backup').click();
    await eventually(async () => expect(await pane().locator('.detail-title').textContent()).toBe('backup'));
    expect(await pane().locator('.gone').isVisible()).toBe(false);
    const next = demoStreams()
      .filter((s) => s.name !== 'backup')
      .map((s) => (s.name === 'webrtc/guest' ? { ...s, health: { level: 'crit' as const, reasons: ['RTP lost 9 packets in 10 s'] } } : s));
    next.push(stream('node-b', 'new/arrival'));
    await writeStreams(stack.redis, next);
    await eventually(async () => expect(await shownNames()).toEqual(['lobby', 'webrtc/guest', 'cam/studio-b', 'cam/studio-a', 'event/main', 'new/arrival']));
    expect(await row('backup').count()).toBe(0);
    expect(await pane().locator('.gone').textContent()).toBe('This stream is no longer listed; the last values are shown.');
    expect(await pane().locator('.gone').isVisible()).toBe(true);
    expect(await page.locator('#count-crit').textContent()).toBe('2');
    expect(await page.locator('#count-offline').textContent()).toBe('0');
  });

  test('a missed delta makes the page ask for a resync and catch up', async () => {
    let dropped = false;
    errors = [];
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => errors.push(err.message));
    const fromPage: string[] = [];
    await page.routeWebSocket(/\/api\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (!dropped && String(m).startsWith('{"type":"streams.delta"')) dropped = true;
        else ws.send(m);
      });
      ws.onMessage((m) => {
        fromPage.push(String(m));
        server.send(m);
      });
    });
    await page.goto(stack.base);
    await eventually(async () => expect(await cell('lobby', 'readers').textContent()).toBe('1'));
    await writeStreams(stack.redis, demoStreams().map((s) => (s.name === 'lobby' ? { ...s, readers: 5 } : s)));
    await eventually(() => expect(dropped).toBe(true));
    await writeStreams(stack.redis, demoStreams().map((s) => (s.name === 'lobby' ? { ...s, readers: 5, recvRateMbps: 0.42 } : s)));
    await eventually(async () => expect(await cell('lobby', 'recv').textContent()).toBe('0.42 Mbit/s'));
    expect(await cell('lobby', 'readers').textContent()).toBe('5');
    expect(fromPage).toContain('{"type":"resync"}');
  });

  test('filters by text, health, protocol and node and sorts, keeping them in the URL', async () => {
    await open(`${stack.base}/?node=node-b`);
    await eventually(async () => expect(await shownNames()).toEqual(['lobby', 'backup']));
    expect(await page.locator('#node-filter').inputValue()).toBe('node-b');
    expect(await page.locator('#count-shown').textContent()).toBe('2 of 6');
    expect(await page.locator('#count-online').textContent()).toBe('5'); // the counts stay over every stream

    await page.selectOption('#node-filter', '');
    await page.selectOption('#health-filter', 'problems');
    await eventually(async () => expect(await shownNames()).toEqual(['lobby', 'cam/studio-b']));
    await page.selectOption('#health-filter', 'offline');
    await eventually(async () => expect(await shownNames()).toEqual(['backup']));
    await page.selectOption('#health-filter', '');

    expect(await page.locator('#proto-filter option').allTextContents()).toEqual(['All protocols', 'no source', 'RTMP', 'RTSP', 'SRT', 'WEBRTC']);
    await page.selectOption('#proto-filter', 'srt');
    await eventually(async () => expect(await shownNames()).toEqual(['cam/studio-b', 'cam/studio-a']));
    await page.selectOption('#proto-filter', '');

    await page.fill('#filter', 'studio');
    await page.selectOption('#sort', 'name');
    await eventually(async () => expect(await shownNames()).toEqual(['cam/studio-a', 'cam/studio-b']));
    const url = new URL(page.url());
    expect([url.searchParams.get('q'), url.searchParams.get('sort'), url.searchParams.get('node'), url.searchParams.get('health')]).toEqual(['studio', 'name', null, null]);

    await page.fill('#filter', '');
    await page.selectOption('#sort', 'readers');
    await eventually(async () => expect((await shownNames()).slice(0, 3)).toEqual(['event/main', 'cam/studio-a', 'lobby']));
  });

  test('with 1,000 streams only the rows on screen are in the DOM, at least 25 of them fit, and scrolling shows the rest', async () => {
    const many: Stream[] = Array.from({ length: 1000 }, (_, i) =>
      stream(`node-${i % 3}`, `bulk/${String(i).padStart(4, '0')}`, {
        readers: i % 5,
        health: i % 97 === 0 ? { level: 'crit', reasons: ['SRT drop 1 packets in 10 s'] } : { level: 'ok', reasons: [] },
      }),
    );
    await writeStreams(stack.redis, many);
    await open();
    await eventually(async () => expect(await page.locator('#count-shown').textContent()).toBe('1000'));
    await eventually(async () => expect((await shownNames())[0]).toBe('bulk/0000'));
    const inDom = await page.locator('#stream-list .rows .row').count();
    expect(inDom).toBeGreaterThanOrEqual(25);
    expect(inDom).toBeLessThanOrEqual(60);
    expect(await page.evaluate(() => document.querySelectorAll('*').length)).toBeLessThan(2500);
    const fullyVisible = await page.locator('#stream-list .rows .row').evaluateAll((rows) => {
      const list = document.getElementById('stream-list')!.getBoundingClientRect();
      return rows.filter((r) => {
        const b = r.getBoundingClientRect();
        return b.top >= list.top && b.bottom <= Math.min(list.bottom, window.innerHeight);
      }).length;
    });
    expect(fullyVisible).toBeGreaterThanOrEqual(25);

    // Crit first (every 97th), then the rest by name; the last one is reached by scrolling.
    await page.locator('#stream-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await eventually(async () => expect((await shownNames()).at(-1)).toBe('bulk/0999'));
    expect(await page.locator('#stream-list .rows .row').count()).toBeLessThanOrEqual(60);

    // A change far down the list reaches its row once it is on screen.
    await writeStreams(stack.redis, many.map((s) => (s.name === 'bulk/0998' ? { ...s, readers: 99 } : s)));
    await eventually(async () => expect(await cell('bulk/0998', 'readers').textContent()).toBe('99'));
  });

  test('follows the system light or dark setting', async () => {
    await open();
    await eventually(async () => expect(await row('lobby').count()).toBe(1));
    const colors = () => page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await colors()).toEqual(['rgb(13, 17, 23)', 'rgb(219, 226, 234)']);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await colors()).toEqual(['rgb(246, 248, 250)', 'rgb(31, 35, 40)']);
    expect(await cell('lobby', 'health').locator('.badge').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(207, 34, 46)');
  });

  test('on a phone (390x844): no sideways scrolling, streams first, the detail covers the screen', async () => {
    await open(stack.base, { width: 390, height: 844 });
    await eventually(async () => expect(await page.locator('#stream-list .rows .row').count()).toBe(6));
    const noSideways = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth);
    expect(await noSideways()).toBe(true);
    const inFirstScreen = await page.locator('#stream-list .rows .row').evaluateAll(
      (rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight && r.getBoundingClientRect().right <= window.innerWidth).length,
    );
    expect(inFirstScreen).toBeGreaterThanOrEqual(3);
    // Each card keeps name, node, health, status, readers and rate inside the screen.
    for (const col of ['name', 'node', 'health', 'status', 'readers', 'recv']) {
      const box = (await cell('cam/studio-a', col).boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }

    await row('cam/studio-a').click();
    await eventually(async () => expect(await pane().locator('.conn').count()).toBe(3));
    expect(await page.locator('#detail').boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    expect(await page.locator('#detail').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await noSideways()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#detail').isHidden()).toBe(true);
  });

  test('two nodes with a path of the same name each show their own thumbnail', async () => {
    await writeStreams(stack.redis, [...demoStreams(), stream('node-a', 'cam/shared'), stream('node-b', 'cam/shared')]);
    await writeSnapshots(stack.redis, [
      { node: 'node-a', name: 'cam/shared', jpeg: testJpeg(320) },
      { node: 'node-b', name: 'cam/shared', jpeg: testJpeg(160) },
    ]);
    await open();
    for (const [node, width] of [
      ['node-a', 320],
      ['node-b', 160],
    ] as const) {
      const img = row('cam/shared', node).locator('.c-thumb img');
      await eventually(async () => expect(await img.getAttribute('src')).toContain(`/api/snapshots/${node}/cam%2Fshared.jpg?t=`));
      await eventually(async () => expect(await img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(width));
    }
    // Opened by its address (?open=node/name): node-b's stream with node-b's picture.
    await page.goto(`${stack.base}/?open=${encodeURIComponent('node-b/cam/shared')}`);
    await eventually(async () => expect(await pane().locator('.snapshot-large img').evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(160));
    expect(await pane().locator('.detail-head .pill').textContent()).toBe('node-b');
    expect(await row('cam/shared', 'node-b').getAttribute('class')).toContain('selected');
  });

  test('polls the REST endpoints (and the opened stream\'s detail) every 5 s while the WebSocket is down', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.routeWebSocket(/\/api\/ws$/, (ws) => ws.close());
    await page.goto(stack.base);
    await eventually(async () => expect(await page.locator('#stream-list .rows .row').count()).toBe(6));
    expect(await page.locator('#feed-state').textContent()).toBe('Polling');
    await row('cam/studio-a').click();
    await eventually(async () => expect(await pane().locator('.conn').count()).toBe(3));

    const third = hlsReader('d00d0000-0000-4000-8000-000000000003', 'VLC/3.0.20');
    await writeStreams(
      stack.redis,
      demoStreams().map((s) =>
        s.name === 'lobby' ? { ...s, readers: 42 } : s.name === 'cam/studio-a' ? { ...s, readers: 3, readerList: [...s.readerList, third] } : s,
      ),
    );
    const down = alertRecord('contribution-offline', 'firing', 'crit', { node: 'node-b', name: 'lobby' }, 'stream lobby on node node-b: offline');
    await changeAlerts(new AlertStore(stack.redis), [[null, down]]);
    await eventually(async () => expect(await cell('lobby', 'readers').textContent()).toBe('42'), 15000);
    await eventually(async () => expect(await pane().locator('.conn').count()).toBe(4), 15000);
    // The alerts come from GET /api/alerts meanwhile.
    await eventually(async () => expect(await page.locator('#alerts .alert-summary').allTextContents()).toEqual([down.summary]), 15000);
    expect(await cell('lobby', 'health').locator('.alert-mark').getAttribute('class')).toBe('alert-mark alert-firing sev-crit');
  });
});
