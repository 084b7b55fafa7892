import { Emulator, benchScenario, connId, demoScenario, type Scenario } from '@mmon/mediamtx-test';
import { MediaMtxClient, MediaMtxError } from '../src/mediamtx/client';

const client = (emu: Emulator, over: Partial<ConstructorParameters<typeof MediaMtxClient>[0]> = {}) =>
  new MediaMtxClient({ baseUrl: emu.url, timeoutMs: 1000, pageSize: 100, ...over });

describe('MediaMtxClient', () => {
  const started: Emulator[] = [];
  const start = async (scenario: Scenario, opts: Partial<Parameters<typeof Emulator.start>[0]> = {}) => {
    const emu = await Emulator.start({ scenario, ...opts });
    started.push(emu);
    return emu;
  };
  afterAll(() => Promise.all(started.map((e) => e.close())));

  test('reads every page: 250 paths at 100 per page, each once', async () => {
    const emu = await start(benchScenario(250, 2));
    const raw = await client(emu).poll();
    expect(raw.paths).toHaveLength(250);
    expect(new Set(raw.paths.map((p) => p.name)).size).toBe(250);
    expect(emu.requests.byPath['/v3/paths/list']).toBe(3);
    const readers = raw.paths.flatMap((p) => p.readers ?? []);
    const conns = Object.values(raw.conns).flat();
    for (const r of readers) expect(conns.some((c) => c.id === r.id)).toBe(true);
  });

  test.each(['v1.20', 'v1.21'] as const)('finds the %s list layout and keeps using it', async (layout) => {
    const emu = await start(demoScenario(), { layout });
    const c = client(emu);
    const first = await c.poll();
    expect(c.layout).toBe(layout);
    expect(first.conns.srtConn.length).toBeGreaterThan(0);
    expect(first.conns.rtspSession.length).toBeGreaterThan(0);
    expect(first.hlsMuxers.length).toBeGreaterThan(0);
    const before = emu.requests.total;
    await c.poll();
    const second = emu.requests.total - before;
    // info + paths + one request per referenced list, no probing of the other layout any more
    const referenced = new Set(first.paths.flatMap((p) => [p.source?.type, ...(p.readers ?? []).map((r) => r.type)]));
    const lists = [...referenced].filter((t) => t && t in first.conns).length + 1; // + hls muxers
    expect(second).toBe(2 + lists);
  });

  test('reads older releases that only have the deprecated field names', async () => {
    const emu = await start(demoScenario(), { fields: 'legacy', version: 'v1.8.0' });
    const raw = await client(emu).poll();
    const path = raw.paths.find((p) => p.name === 'live/contribution')!;
    expect(path.online).toBeUndefined();
    expect(path.ready).toBe(true);
    expect(typeof path.bytesReceived).toBe('number');
    expect(raw.info.version).toBe('v1.8.0');
  });

  test('sends basic auth; wrong credentials are an error without the password in it', async () => {
    const emu = await start(demoScenario(), { auth: { user: 'mon', pass: 's3cret' } });
    await expect(client(emu, { user: 'mon', pass: 's3cret' }).poll()).resolves.toMatchObject({ info: { version: 'v1.20.1' } });
    const err = await client(emu, { user: 'mon', pass: 'wrong' }).poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaMtxError);
    expect((err as MediaMtxError).status).toBe(401);
    expect(String(err)).not.toMatch(/wrong|s3cret/);
  });

  test.each([
    [{ kind: 'status', status: 503 } as const, /HTTP 503/],
    [{ kind: 'malformed' } as const, /malformed JSON/],
    [{ kind: 'slow', delayMs: 3000 } as const, /timed out/],
    [{ kind: 'reset' } as const, /ECONNRESET|socket hang up/],
  ])('fault %j is a MediaMtxError %p', async (fault, message) => {
    const emu = await start(demoScenario());
    emu.setFault(fault);
    const err = await client(emu, { timeoutMs: 300 }).poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaMtxError);
    expect((err as Error).message).toMatch(message);
    emu.setFault(null);
    await expect(client(emu).poll()).resolves.toHaveProperty('paths');
  });

  test('a server that is not there is a MediaMtxError', async () => {
    const emu = await start(demoScenario());
    const url = emu.url;
    await emu.close();
    await expect(new MediaMtxClient({ baseUrl: url, timeoutMs: 500, pageSize: 100 }).poll()).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a list that neither layout serves (protocol switched off) reads as empty and is not asked every poll', async () => {
    const scenario: Scenario = { paths: [{ name: 'p', source: { type: 'srtConn', id: connId(1) }, readers: [] }] };
    const emu = await start(scenario, { layout: 'both' });
    emu.setFault({ kind: 'status', status: 404, endpoint: '/v3/srt/' });
    const fallback = client(emu);
    expect((await fallback.poll()).conns.srtConn).toHaveLength(1);
    expect(fallback.layout).toBe('v1.20');

    const off = await start(scenario, { layout: 'v1.20' });
    off.setFault({ kind: 'status', status: 404, endpoint: '/v3/srtconns' });
    const c = client(off);
    const raw = await c.poll();
    expect(raw.paths).toHaveLength(1);
    expect(raw.conns.srtConn).toEqual([]);
    const before = off.requests.byPath['/v3/srtconns/list'];
    await c.poll();
    expect(off.requests.byPath['/v3/srtconns/list']).toBe(before);
  });
});
