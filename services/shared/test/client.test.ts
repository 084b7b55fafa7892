import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Emulator, benchScenario, connId, demoScenario, type Scenario } from '@mmon/mediamtx-test';
import { MediaMtxClient, MediaMtxError } from '../src/mediamtx/client';
import { PATHS_LIST } from '../src/mediamtx/types';

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

/** A real HTTP server whose list answers the test scripts page by page. */
class ScriptedServer {
  requests: URL[] = [];
  info: unknown = { version: 'v1.20.1' };
  answer: (page: number, url: URL) => unknown = () => ({ itemCount: 0, pageCount: 0, items: [] });
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ScriptedServer> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = new ScriptedServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', s.url);
      s.requests.push(url);
      const body = url.pathname === '/v3/info' ? s.info : s.answer(Number(url.searchParams.get('page') ?? 0), url);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body ?? null));
    });
    return s;
  }

  pageRequests(endpoint = PATHS_LIST): number {
    return this.requests.filter((u) => u.pathname === endpoint).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** Any JSON value, as a wrong answer may hold anywhere. */
const anyJson = fc.oneof(
  fc.integer(),
  fc.constantFrom(2147483648, 2 ** 53, 1e308, -1, 0.5, -0),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

describe('MediaMtxClient paging believes pageCount only as far as the items justify', () => {
  let server: ScriptedServer;
  beforeAll(async () => (server = await ScriptedServer.start()));
  afterAll(() => server.close());
  const MAX_ITEMS = 40;
  const CONCURRENCY = 4;
  const listClient = (pageSize: number) => new MediaMtxClient({ baseUrl: server.url, timeoutMs: 2000, pageSize, maxItems: MAX_ITEMS, pageConcurrency: CONCURRENCY });

  test('any pageCount, itemCount and items: ends, with at most MEDIAMTX_MAX_ITEMS items, or a MediaMtxError naming the list', async () => {
    const pageArb = fc.record({ items: fc.oneof(fc.array(fc.integer(), { maxLength: 12 }), anyJson), itemCount: anyJson, pageCount: anyJson }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.array(pageArb, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.integer({ min: 1, max: 10 }), async (pages, repeatLast, pageSize) => {
        server.requests = [];
        // A server that answers the last scripted page for every later page number (or an empty one).
        server.answer = (page) => (page < pages.length ? pages[page] : repeatLast ? pages.at(-1) : { items: [] });
        const result = await listClient(pageSize)
          .listAll<unknown>(PATHS_LIST)
          .catch((err: unknown) => err);
        if (result instanceof Error) {
          expect(result).toBeInstanceOf(MediaMtxError);
          expect(result.message).toMatch(/^\/v3\/paths\/list: .*MEDIAMTX_MAX_ITEMS \(40\)/);
        } else {
          expect(Array.isArray(result)).toBe(true);
          expect((result as unknown[]).length).toBeLessThanOrEqual(MAX_ITEMS);
        }
        // Every page read but the last batch held items, so the limit bounds the requests too.
        expect(server.pageRequests()).toBeLessThanOrEqual(MAX_ITEMS + CONCURRENCY);
      }),
      { numRuns: 150 },
    );
  });

  test('an honest list is read whole, each item once, whatever larger pageCount it claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: MAX_ITEMS }),
        fc.integer({ min: 1, max: 12 }),
        fc.oneof(fc.constant(2147483648), fc.integer({ min: 0, max: 1000 })),
        async (count, pageSize, extraPages) => {
          server.requests = [];
          const all = Array.from({ length: count }, (_, i) => ({ name: `p${i}` }));
          const truePages = Math.ceil(count / pageSize);
          server.answer = (page) => ({ itemCount: count, pageCount: truePages + extraPages, items: all.slice(page * pageSize, (page + 1) * pageSize) });
          expect(await listClient(pageSize).listAll(PATHS_LIST)).toEqual(all);
          expect(server.pageRequests()).toBe(Math.max(1, truePages));
        },
      ),
      { numRuns: 100 },
    );
  });

  test('the issue\'s case: pageCount 2147483648 for 4 items is one page; items null is an empty list', async () => {
    server.requests = [];
    server.answer = () => ({ itemCount: 4, pageCount: 2147483648, items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] });
    expect(await listClient(1000).listAll(PATHS_LIST)).toHaveLength(4);
    expect(server.pageRequests()).toBe(1);
    server.answer = () => ({ itemCount: 3, pageCount: 1, items: null });
    expect(await listClient(1000).listAll(PATHS_LIST)).toEqual([]);
    // Without an itemCount, an empty page ends the list.
    server.requests = [];
    server.answer = (page) => ({ pageCount: 2147483648, items: page < 3 ? [{ name: `p${page}` }] : [] });
    expect(await listClient(1).listAll(PATHS_LIST)).toHaveLength(3);
    expect(server.pageRequests()).toBeLessThanOrEqual(3 + CONCURRENCY);
  });

  test('more items than MEDIAMTX_MAX_ITEMS is a fault naming the list and the numbers', async () => {
    server.answer = () => ({ itemCount: 2147483648, pageCount: 2147483648, items: [{ name: 'a' }] });
    await expect(listClient(100).listAll(PATHS_LIST)).rejects.toThrow('/v3/paths/list: itemCount is 2147483648 (pageCount 2147483648), more than MEDIAMTX_MAX_ITEMS (40)');
    // An absurd itemCount that the pageCount contradicts costs nothing: the pages are read.
    server.answer = (page) => ({ itemCount: 2147483648, pageCount: 2, items: page < 2 ? [{ name: `p${page}` }] : [] });
    expect(await listClient(1).listAll(PATHS_LIST)).toEqual([{ name: 'p0' }, { name: 'p1' }]);
    // A server that ignores the page number and claims no itemCount: stopped at the limit.
    server.answer = () => ({ pageCount: 2147483648, items: Array.from({ length: 10 }, (_, i) => ({ name: `p${i}` })) });
    await expect(listClient(10).listAll(PATHS_LIST)).rejects.toThrow(/^\/v3\/paths\/list: 50 items in the first 5 of 2147483648 pages .*MEDIAMTX_MAX_ITEMS \(40\)$/);
  });

  test('a poll survives paths of any shape, info of any shape and lists without items', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(anyJson, fc.record({ name: anyJson, source: anyJson, readers: fc.oneof(anyJson, fc.array(anyJson)) })), { maxLength: 6 }),
        fc.oneof(anyJson, fc.record({ version: fc.oneof(anyJson, fc.constantFrom('v1.20.1\ud800', 'v'.repeat(5000))), started: anyJson })),
        async (paths, info) => {
          server.info = info;
          server.answer = () => ({ itemCount: paths.length, pageCount: 1, items: paths });
          const raw = await listClient(100).poll();
          for (const value of Object.values(raw.info)) expect(typeof value === 'string' && value.length <= 100 && value.isWellFormed()).toBe(true);
          expect(raw.connsComplete).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('MediaMtxClient poll deadline', () => {
  test('a poll that outlives deadlineMs is aborted with a MediaMtxError naming the deadline; the client polls again afterwards', async () => {
    const emu = await Emulator.start({ scenario: demoScenario() });
    try {
      const c = client(emu, { timeoutMs: 60_000 });
      emu.setFault({ kind: 'slow', delayMs: 60_000, endpoint: '/v3/paths/list' });
      const err = await c.poll({ conns: 'lists', deadlineMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaMtxError);
      expect((err as Error).message).toBe('poll deadline of 300 ms passed; its requests were aborted');
      emu.setFault(null);
      await expect(c.poll({ conns: 'lists', deadlineMs: 5000 })).resolves.toHaveProperty('paths');
    } finally {
      await emu.close();
    }
  });
});
