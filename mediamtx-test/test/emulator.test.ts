import { LIST_ENDPOINTS, PATHS_LIST } from '@mmon/shared';
import { benchScenario, connId, demoScenario, Emulator, h264, type EmulatorOptions, type ScenarioPath } from '../src';

const T0 = Date.parse('2026-05-01T12:00:00Z');

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const running: Emulator[] = [];
async function start(opts: EmulatorOptions): Promise<Emulator> {
  const emulator = await Emulator.start(opts);
  running.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

function srtPath(name: string, id: number, counters = {}): ScenarioPath {
  return { name, tracks: [h264()], source: { type: 'srtConn', id: connId(id), counters } };
}

describe('paging', () => {
  it('pages 250 paths sorted by name, 100 per page, every name exactly once', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `cams/${String((i * 7919) % 250).padStart(3, '0')}`);
    const emulator = await start({ scenario: { paths: names.map((name) => ({ name })) } });
    const pages = [];
    for (let page = 0; page < 4; page++) {
      pages.push((await getJson(`${emulator.url}${PATHS_LIST}?itemsPerPage=100&page=${page}`)).body);
    }
    expect(pages.map((p) => [p.itemCount, p.pageCount, p.items.length])).toEqual([
      [250, 3, 100],
      [250, 3, 100],
      [250, 3, 50],
      [250, 3, 0],
    ]);
    const seen = pages.flatMap((p) => p.items.map((i: any) => i.name));
    expect(seen).toEqual([...names].sort());
  });

  it('defaults to 100 items per page and reports 0 pages when empty', async () => {
    const emulator = await start({ scenario: { paths: Array.from({ length: 150 }, (_, i) => ({ name: `p${i}` })) } });
    const first = (await getJson(`${emulator.url}${PATHS_LIST}`)).body;
    expect([first.itemCount, first.pageCount, first.items.length]).toEqual([150, 2, 100]);
    const empty = (await getJson(`${emulator.url}${LIST_ENDPOINTS.srtConn['v1.20']}`)).body;
    expect(empty).toEqual({ itemCount: 0, pageCount: 0, items: [] });
  });
});

describe('layouts and fields', () => {
  it.each(['v1.20', 'v1.21'] as const)('layout %s serves only its own list endpoints', async (layout) => {
    const emulator = await start({ scenario: demoScenario(T0), layout });
    const other = layout === 'v1.20' ? 'v1.21' : 'v1.20';
    expect((await fetch(`${emulator.url}${LIST_ENDPOINTS.srtConn[layout]}`)).status).toBe(200);
    expect((await fetch(`${emulator.url}${LIST_ENDPOINTS.srtConn[other]}`)).status).toBe(404);
  });

  it('layout both serves both, with the same items', async () => {
    const emulator = await start({ scenario: demoScenario(T0), clock: () => T0 });
    const a = await getJson(`${emulator.url}${LIST_ENDPOINTS.webRTCSession['v1.20']}`);
    const b = await getJson(`${emulator.url}${LIST_ENDPOINTS.webRTCSession['v1.21']}`);
    expect(a.body.itemCount).toBe(3);
    expect(b.body).toEqual(a.body);
  });

  it('serves the configured version', async () => {
    const emulator = await start({ scenario: { paths: [] }, version: 'v1.9.3', clock: () => T0 });
    expect((await getJson(`${emulator.url}/v3/info`)).body).toEqual({ version: 'v1.9.3', started: new Date(T0).toISOString() });
  });
});

describe('auth', () => {
  const auth = { user: 'monitor', pass: 's3cret' };
  const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

  it('asks for credentials when none are sent', async () => {
    const emulator = await start({ scenario: { paths: [] }, auth });
    const res = await getJson(`${emulator.url}/v3/info`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="mediamtx"');
    expect(res.body).toEqual({ status: 'error', error: 'authentication error' });
  });

  it('refuses wrong credentials and accepts the right ones', async () => {
    const emulator = await start({ scenario: { paths: [] }, auth });
    const wrong = await getJson(`${emulator.url}/v3/info`, { headers: basic('monitor', 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ status: 'error', error: 'authentication error' });
    const right = await getJson(`${emulator.url}/v3/info`, { headers: basic('monitor', 's3cret') });
    expect(right.status).toBe(200);
  });
});

describe('faults', () => {
  it('answers a status with MediaMTX error JSON, then recovers', async () => {
    const emulator = await start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'status', status: 500 });
    const res = await getJson(`${emulator.url}${PATHS_LIST}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ status: 'error', error: 'emulated fault: status 500' });
    emulator.setFault(null);
    expect((await fetch(`${emulator.url}${PATHS_LIST}`)).status).toBe(200);
  });

  it('limits a fault to one endpoint', async () => {
    const emulator = await start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'status', status: 503, endpoint: LIST_ENDPOINTS.srtConn['v1.20'] });
    expect((await fetch(`${emulator.url}${LIST_ENDPOINTS.srtConn['v1.20']}`)).status).toBe(503);
    expect((await fetch(`${emulator.url}${PATHS_LIST}`)).status).toBe(200);
  });

  it('sends broken JSON with status 200', async () => {
    const emulator = await start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'malformed' });
    const res = await fetch(`${emulator.url}${PATHS_LIST}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('resets the connection', async () => {
    const emulator = await start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'reset' });
    await expect(fetch(`${emulator.url}${PATHS_LIST}`)).rejects.toThrow();
    emulator.setFault(null);
    expect((await fetch(`${emulator.url}${PATHS_LIST}`)).status).toBe(200);
  });

  it('delays answers: a client with a shorter timeout gives up, a patient one gets the data', async () => {
    const emulator = await start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'slow', delayMs: 400 });
    await expect(fetch(`${emulator.url}${PATHS_LIST}`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    const res = await getJson(`${emulator.url}${PATHS_LIST}`);
    expect(res.status).toBe(200);
    expect(res.body.itemCount).toBe(5);
  });

  it('closes while a slow answer is pending', async () => {
    const emulator = await Emulator.start({ scenario: demoScenario(T0) });
    emulator.setFault({ kind: 'slow', delayMs: 60_000 });
    const pending = fetch(`${emulator.url}${PATHS_LIST}`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await emulator.close();
    expect(await pending).toBe('failed');
  });
});

describe('counters', () => {
  it('grow with the clock at the given rates and stay whole numbers', async () => {
    const clock = manualClock();
    const emulator = await start({
      scenario: { paths: [srtPath('a', 1, { bytesReceived: { base: 1000, rate: 500_000 }, packetsReceived: { rate: 380.5 }, msRTT: 21.5 })] },
      clock: clock.now,
    });
    const get = async () => (await getJson(`${emulator.url}/v3/srtconns/get/${connId(1)}`)).body;
    expect(await get()).toMatchObject({ bytesReceived: 1000, packetsReceived: 0, msRTT: 21.5 });
    clock.advance(2000);
    expect(await get()).toMatchObject({ bytesReceived: 1_001_000, packetsReceived: 761, msRTT: 21.5 });
    const path = (await getJson(`${emulator.url}/v3/paths/get/a`)).body;
    expect(path).toMatchObject({ inboundBytes: 1_001_000, bytesReceived: 1_001_000, outboundBytes: 0 });
  });

  it('count from the connection creation time, never from the future', async () => {
    const clock = manualClock();
    const emulator = await start({
      scenario: {
        paths: [
          { name: 'old', source: { type: 'rtmpConn', id: connId(1), created: new Date(T0 - 10_000).toISOString(), counters: { inboundBytes: { rate: 100 } } } },
          { name: 'future', source: { type: 'rtmpConn', id: connId(2), created: new Date(T0 + 60_000).toISOString(), counters: { inboundBytes: { rate: 100 } } } },
        ],
      },
      clock: clock.now,
    });
    const list = (await getJson(`${emulator.url}/v3/rtmpconns/list`)).body.items;
    expect(list.map((c: any) => c.inboundBytes)).toEqual([1000, 0]);
  });

  it('follow scripted sequences and resets set with setCounters', async () => {
    const clock = manualClock();
    const emulator = await start({ scenario: { paths: [srtPath('live/a', 1, { packetsReceived: { rate: 100 } })] }, clock: clock.now });
    const get = async () => (await getJson(`${emulator.url}/v3/srt/conns/get/${connId(1)}`)).body;
    const drops: number[] = [];
    for (const value of [0, 3, 3, 10]) {
      emulator.setCounters(connId(1), { packetsReceivedDrop: value });
      clock.advance(1000);
      drops.push((await get()).packetsReceivedDrop);
    }
    expect(drops).toEqual([0, 3, 3, 10]);
    expect((await get()).packetsReceived).toBe(400);
    emulator.setCounters(connId(1), { packetsReceived: 0 });
    expect((await get()).packetsReceived).toBe(0);
    emulator.setCounters(connId(1), { packetsReceived: { base: 5, rate: 10 } });
    clock.advance(1000);
    expect((await get()).packetsReceived).toBe(15);
  });

  it('set path counters by path name, replacing the derived ones', async () => {
    const clock = manualClock();
    const emulator = await start({ scenario: { paths: [srtPath('live/a', 1, { bytesReceived: { rate: 10 } })] }, clock: clock.now });
    emulator.setCounters('live/a', { inboundFramesInError: 7, outboundBytes: 42 });
    clock.advance(1000);
    const path = (await getJson(`${emulator.url}/v3/paths/get/live/a`)).body;
    expect(path).toMatchObject({ inboundFramesInError: 7, outboundBytes: 42, inboundBytes: 10 });
    expect(() => emulator.setCounters('nothing', { inboundBytes: 1 })).toThrow('no connection or path');
  });
});

describe('live changes', () => {
  it('adds and removes paths, publishers and readers, keeping the lists consistent', async () => {
    const emulator = await start({ scenario: { paths: [{ name: 'live/x', tracks: [h264()] }] } });
    const path = async () => (await getJson(`${emulator.url}/v3/paths/get/live/x`)).body;
    const list = async (kind: keyof typeof LIST_ENDPOINTS) => (await getJson(`${emulator.url}${LIST_ENDPOINTS[kind]['v1.21']}`)).body.items;
    expect(await path()).toMatchObject({ online: false, source: null });

    emulator.setSource('live/x', { type: 'rtmpConn', id: connId(1) });
    expect(await path()).toMatchObject({ online: true, source: { type: 'rtmpConn', id: connId(1) }, tracks: ['H264'] });
    expect(await list('rtmpConn')).toMatchObject([{ id: connId(1), state: 'publish', path: 'live/x' }]);

    emulator.addReader('live/x', { type: 'hlsSession', id: connId(2) });
    emulator.addReader('live/x', { type: 'srtConn', id: connId(3) });
    expect((await path()).readers).toEqual([
      { type: 'hlsSession', id: connId(2) },
      { type: 'srtConn', id: connId(3) },
    ]);
    expect(await list('srtConn')).toMatchObject([{ id: connId(3), state: 'read', path: 'live/x' }]);
    expect(await list('hlsMuxer')).toMatchObject([{ path: 'live/x' }]);

    emulator.removeReader('live/x', connId(2));
    expect(await list('hlsSession')).toEqual([]);
    expect(await list('hlsMuxer')).toEqual([]);

    emulator.setSource('live/x', { type: 'srtConn', id: connId(4) });
    expect(await list('rtmpConn')).toEqual([]);
    expect((await list('srtConn')).map((c: any) => [c.id, c.state])).toEqual([
      [connId(3), 'read'],
      [connId(4), 'publish'],
    ]);

    emulator.setSource('live/x', null);
    expect(await path()).toMatchObject({ online: false, source: null, tracks: [] });

    emulator.addPath(srtPath('live/a', 5));
    expect((await getJson(`${emulator.url}${PATHS_LIST}`)).body.items.map((p: any) => p.name)).toEqual(['live/a', 'live/x']);
    emulator.removePath('live/x');
    expect((await getJson(`${emulator.url}${PATHS_LIST}`)).body.items.map((p: any) => p.name)).toEqual(['live/a']);
    expect((await list('srtConn')).map((c: any) => c.id)).toEqual([connId(5)]);
    expect((await fetch(`${emulator.url}/v3/paths/get/live/x`)).status).toBe(404);
  });

  it('rejects duplicate ids, non-UUID ids, unknown paths and readers that cannot publish', async () => {
    const emulator = await start({ scenario: { paths: [srtPath('a', 1)] } });
    expect(() => emulator.addReader('a', { type: 'rtmpConn', id: connId(1) })).toThrow('already exists');
    expect(() => emulator.addReader('a', { type: 'rtmpConn', id: 'abc' })).toThrow('not a UUID');
    expect(() => emulator.addReader('b', { type: 'rtmpConn', id: connId(2) })).toThrow('no path');
    expect(() => emulator.setSource('a', { type: 'hlsSession', id: connId(2) })).toThrow('cannot publish');
    expect(() => emulator.addPath(srtPath('a', 3))).toThrow('already exists');
  });
});

describe('requests', () => {
  it('counts requests in total and per endpoint', async () => {
    const emulator = await start({ scenario: { paths: [] } });
    await fetch(`${emulator.url}${PATHS_LIST}?page=0`);
    await fetch(`${emulator.url}${PATHS_LIST}`);
    await fetch(`${emulator.url}/v3/info`);
    expect(emulator.requests).toEqual({ total: 3, byPath: { [PATHS_LIST]: 2, '/v3/info': 1 } });
  });
});

describe('scenarios', () => {
  it('demo: five paths, one offline, SRT loss and retransmissions growing', async () => {
    const clock = manualClock();
    const emulator = await start({ scenario: demoScenario(T0), clock: clock.now });
    const paths = (await getJson(`${emulator.url}${PATHS_LIST}`)).body.items;
    expect(paths.map((p: any) => [p.name, p.source?.type ?? null, p.readers.length])).toEqual([
      ['cam/entrance', 'rtspSource', 1],
      ['live/backup', null, 0],
      ['live/contribution', 'srtConn', 2],
      ['live/studio', 'rtmpConn', 2],
      ['live/webcam', 'webRTCSession', 1],
    ]);
    const srt = async () => (await getJson(`${emulator.url}/v3/srtconns/get/${connId(1)}`)).body;
    const before = await srt();
    clock.advance(120_000);
    const after = await srt();
    expect(after.packetsReceivedLoss).toBeGreaterThan(before.packetsReceivedLoss);
    expect(after.packetsReceivedRetrans).toBeGreaterThan(before.packetsReceivedRetrans);
    expect(after.bytesReceived).toBeGreaterThan(before.bytesReceived);
    expect(after.msRTT).toBeGreaterThan(0);
  });

  it('bench: 10,000 paths with 2 readers each, mixed protocols, served page by page', async () => {
    const emulator = await start({ scenario: benchScenario(10_000, 2, T0), clock: () => T0 });
    const first = (await getJson(`${emulator.url}${PATHS_LIST}?itemsPerPage=1000&page=9`)).body;
    expect([first.itemCount, first.pageCount, first.items.length]).toEqual([10_000, 10, 1000]);
    expect(first.items[999].name).toBe('bench/cam-09999');
    let conns = 0;
    const types = new Set<string>();
    for (const [kind, byLayout] of Object.entries(LIST_ENDPOINTS)) {
      if (kind === 'hlsMuxer') continue;
      const body = (await getJson(`${emulator.url}${byLayout['v1.20']}?itemsPerPage=1`)).body;
      conns += body.itemCount;
      if (body.itemCount > 0) types.add(kind);
    }
    expect(types.size).toBe(8);
    // 500 offline, 1500 pulled by MediaMTX (rtspSource, hlsSource): 8000 publishing connections + 9500 * 2 readers
    expect(conns).toBe(8000 + 19_000);
  });
});
