/**
 * An HTTP server that answers like MediaMTX's Control API (v3) for a scripted scenario, with
 * optional basic auth, switchable faults and live changes to paths, connections and counters.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiLayout } from '@mmon/shared';
import { Mutator, type MutationKind, type MutationOptions } from './mutate';
import { errorReply, Router, type Reply } from './routes';
import type { Counters, Scenario, ScenarioConn, ScenarioPath, Source } from './scenario';
import { World } from './world';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Which list endpoints exist: v1.20 (/v3/srtconns/list), v1.21 (/v3/srt/conns/list) or both (default). */
  layout?: ApiLayout | 'both';
  /** legacy: an older v1.x without online/onlineTime/inboundBytes/outboundBytes/tracks2. */
  fields?: 'current' | 'legacy';
  /** Served by /v3/info; default v1.20.1. */
  version?: string;
  /** Require HTTP basic auth with these credentials. */
  auth?: { user: string; pass: string };
  scenario: Scenario;
  /** Milliseconds; default Date.now. Counters grow with it. */
  clock?: () => number;
  /** Answer with seeded mutations (wrong types, deleted fields, absurd numbers, ...); see setMutations. */
  mutations?: MutationOptions;
}

/**
 * A fault that every request (or, with `endpoint`, those whose path starts with it) meets:
 * an error status with MediaMTX's error JSON, a delay, a 200 with broken JSON, or a reset socket.
 */
export type Fault = (
  | { kind: 'status'; status: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'reset' }
) & { endpoint?: string };

export interface RequestCounts {
  total: number;
  /** By request path without the query, e.g. "/v3/paths/list". */
  byPath: Record<string, number>;
}

const AUTH_ERROR = errorReply(401, 'authentication error');
const MALFORMED_BODY = '{"itemCount":2,"pageCount":1,"items":[{"name":"broken",';

export class Emulator {
  readonly url: string;
  readonly port: number;
  readonly requests: RequestCounts = { total: 0, byPath: {} };

  private fault: Fault | null = null;
  private mutator: Mutator | null = null;
  private readonly pending = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: http.Server,
    private readonly world: World,
    private readonly router: Router,
    private readonly opts: EmulatorOptions,
    private readonly clock: () => number,
    private readonly started: string,
    host: string,
  ) {
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://${host}:${this.port}`;
  }

  static async start(opts: EmulatorOptions): Promise<Emulator> {
    const clock = opts.clock ?? Date.now;
    const world = new World(clock);
    for (const path of opts.scenario.paths) world.addPath(path);
    for (const conn of opts.scenario.idleConns ?? []) world.addIdleConn(conn);
    const layout = opts.layout ?? 'both';
    const router = new Router(layout === 'both' ? ['v1.20', 'v1.21'] : [layout]);
    const host = opts.host ?? '127.0.0.1';
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const emulator = new Emulator(server, world, router, opts, clock, new Date(clock()).toISOString(), host);
    emulator.setMutations(opts.mutations ?? null);
    server.on('request', (req, res) => emulator.onRequest(req, res));
    return emulator;
  }

  async close(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  setFault(fault: Fault | null): void {
    this.fault = fault;
  }

  /**
   * From now on, a share of the successful answers is well-formed JSON with wrong values: wrong
   * types, deleted fields, absurd numbers, long strings, strings with lone UTF-16 surrogates, and
   * in lists absurd pageCount/itemCount, items null, duplicated items and dangling ids. Seeded:
   * the same seed and requests give the same answers. null answers right again.
   */
  setMutations(opts: MutationOptions | null): void {
    this.mutator = opts === null ? null : new Mutator(opts);
  }

  /** How many mutations of each kind the current mutation mode applied (all zero when off). */
  get mutationsApplied(): Readonly<Record<MutationKind, number>> {
    return this.mutator?.applied ?? new Mutator({ seed: 0 }).applied;
  }

  addPath(path: ScenarioPath): void {
    this.world.addPath(path);
  }

  removePath(name: string): void {
    this.world.removePath(name);
  }

  /** A connection or static source publishes to the path (replacing any other); null = offline. */
  setSource(name: string, source: Source | null): void {
    this.world.setSource(name, source);
  }

  addReader(name: string, conn: ScenarioConn): void {
    this.world.addReader(name, conn);
  }

  removeReader(name: string, id: string): void {
    this.world.removeReader(name, id);
  }

  /** A connection that has not chosen a path yet (state "idle"). */
  addIdleConn(conn: ScenarioConn): void {
    this.world.addIdleConn(conn);
  }

  /**
   * Sets counters of a connection (by id) or path (by name) from now on: a number stays fixed,
   * { base, rate } grows from base at rate per second. Other counters keep going.
   */
  setCounters(key: string, counters: Counters): void {
    this.world.setCounters(key, counters);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://emulator');
    this.requests.total++;
    this.requests.byPath[url.pathname] = (this.requests.byPath[url.pathname] ?? 0) + 1;
    const fault = this.fault && url.pathname.startsWith(this.fault.endpoint ?? '') ? this.fault : null;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') return send(res, errorReply(fault.status, `emulated fault: status ${fault.status}`));
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(MALFORMED_BODY);
      return;
    }
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        this.answer(req, res, url);
      }, fault.delayMs);
      this.pending.add(timer);
      return;
    }
    this.answer(req, res, url);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (this.opts.auth) {
      const credentials = basicCredentials(req.headers.authorization);
      if (!credentials) {
        // MediaMTX asks for credentials only when none were sent.
        res.setHeader('WWW-Authenticate', 'Basic realm="mediamtx"');
        return send(res, AUTH_ERROR);
      }
      if (credentials.user !== this.opts.auth.user || credentials.pass !== this.opts.auth.pass) {
        return send(res, AUTH_ERROR);
      }
    }
    const ctx = {
      world: this.world,
      now: this.clock(),
      legacy: this.opts.fields === 'legacy',
      info: { version: this.opts.version ?? 'v1.20.1', started: this.started },
    };
    const reply = this.router.route(ctx, req.method ?? 'GET', url.pathname, url.searchParams);
    send(res, this.mutator !== null && reply.status === 200 ? { status: 200, body: this.mutator.mutate(reply.body, url.pathname + url.search) } : reply);
  }
}

function basicCredentials(header: string | undefined): { user: string; pass: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const credentials = { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
  return credentials.user === '' && credentials.pass === '' ? null : credentials;
}

function send(res: http.ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
