import { isAscii } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import {
  CONN_TYPES,
  INFO,
  LIST_ENDPOINTS,
  PATHS_LIST,
  type ApiLayout,
  type ConnType,
  type RawConn,
  type RawInfo,
  type RawList,
  type RawPath,
  type RawSnapshot,
} from './types';

export interface MediaMtxClientOptions {
  /** Base URL without credentials, e.g. http://127.0.0.1:9997. */
  baseUrl: string;
  user?: string;
  pass?: string;
  timeoutMs: number;
  /** itemsPerPage asked for; MediaMTX's default is 100. */
  pageSize: number;
  /** Pages of one list fetched at once. */
  pageConcurrency?: number;
}

/** What one poll reads besides info and paths: every connection list, or only some connections by id. */
export interface PollOptions {
  conns: 'lists' | { type: ConnType; id: string }[];
}

/** A fault talking to MediaMTX, with a message that is safe to log and show (no credentials). */
export class MediaMtxError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MediaMtxError';
  }
}

const LIST_KINDS = [...CONN_TYPES, 'hlsMuxer'] as const;
type ListKind = (typeof LIST_KINDS)[number];

/** How often a list that neither layout serves is asked again (in polls). */
const ABSENT_RECHECK_POLLS = 30;

/**
 * The one module that talks to MediaMTX's Control API. It reads every page of every list, finds
 * out per list which endpoint layout the server has (v1.20 /v3/srtconns/list or v1.21
 * /v3/srt/conns/list) and remembers it, and treats a list that neither layout serves (a protocol
 * that is switched off) as empty.
 */
export class MediaMtxClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string | undefined;
  private readonly layoutOf = new Map<ListKind, ApiLayout>();
  private readonly absentUntilPoll = new Map<ListKind, number>();
  private polls = 0;
  private preferred: ApiLayout = 'v1.21';

  constructor(private readonly opts: MediaMtxClientOptions) {
    this.base = new URL(opts.baseUrl);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
    this.auth = opts.user !== undefined ? `${opts.user}:${opts.pass ?? ''}` : undefined;
  }

  /** Ends every connection, failing the requests under way (on shutdown, so nothing waits for a slow server). */
  close(): void {
    this.agent.destroy();
  }

  /** The layout that answered last, or null before any list was read. */
  get layout(): ApiLayout | null {
    return this.layoutOf.size > 0 ? this.preferred : null;
  }

  /**
   * One read of the server: info, every path, and the connections the paths refer to: with
   * `conns: 'lists'` every page of every list the paths refer to; with a list of { type, id },
   * only those connections, one request each (a large server's detail between two full reads).
   */
  async poll(opts: PollOptions = { conns: 'lists' }): Promise<RawSnapshot> {
    this.polls++;
    const [info, paths] = await Promise.all([this.get<RawInfo>(INFO), this.listAll<RawPath>(PATHS_LIST)]);
    const conns = Object.fromEntries(CONN_TYPES.map((t) => [t, [] as RawConn[]])) as Record<ConnType, RawConn[]>;
    if (opts.conns !== 'lists') {
      const items = await Promise.all(opts.conns.map((ref) => this.readConn(ref.type, ref.id)));
      opts.conns.forEach((ref, i) => {
        const item = items[i];
        if (item !== null) conns[ref.type].push(item);
      });
      return { info, paths, conns, hlsMuxers: [], connsComplete: false };
    }
    const referenced = new Set<string>();
    for (const p of paths) {
      if (p.source?.type) referenced.add(p.source.type);
      for (const r of p.readers ?? []) if (r.type) referenced.add(r.type);
    }
    const wanted = CONN_TYPES.filter((t) => referenced.has(t));
    const [lists, hlsMuxers] = await Promise.all([
      Promise.all(wanted.map((t) => this.readList(t))),
      referenced.has('hlsSession') ? this.readList('hlsMuxer') : Promise.resolve([]),
    ]);
    wanted.forEach((t, i) => (conns[t] = lists[i]));
    return { info, paths, conns, hlsMuxers, connsComplete: true };
  }

  /** One connection by id from the layout its list answers in; null when the server does not know it (any more). */
  private async readConn(type: ConnType, id: string): Promise<RawConn | null> {
    const layout = this.layoutOf.get(type) ?? this.preferred;
    const endpoint = `${LIST_ENDPOINTS[type][layout].replace(/\/list$/, '/get/')}${encodeURIComponent(id)}`;
    try {
      return await this.get<RawConn>(endpoint);
    } catch (err) {
      if (err instanceof MediaMtxError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  }

  private async readList(kind: ListKind): Promise<RawConn[]> {
    const absentUntil = this.absentUntilPoll.get(kind);
    if (absentUntil !== undefined && this.polls < absentUntil) return [];
    const known = this.layoutOf.get(kind);
    const order: ApiLayout[] = known ? [known, other(known)] : [this.preferred, other(this.preferred)];
    for (const layout of order) {
      try {
        const items = await this.listAll<RawConn>(LIST_ENDPOINTS[kind][layout]);
        this.layoutOf.set(kind, layout);
        this.preferred = layout;
        this.absentUntilPoll.delete(kind);
        return items;
      } catch (err) {
        if (!(err instanceof MediaMtxError && err.status === 404)) throw err;
      }
    }
    this.layoutOf.delete(kind);
    this.absentUntilPoll.set(kind, this.polls + ABSENT_RECHECK_POLLS);
    return [];
  }

  /** Every item of a paged list: page 0 first, then the remaining pages a few at a time. */
  async listAll<T>(endpoint: string): Promise<T[]> {
    const first = await this.page<T>(endpoint, 0);
    const pageCount = first.pageCount ?? 1;
    const pages: T[][] = [first.items ?? []];
    const concurrency = this.opts.pageConcurrency ?? 4;
    for (let next = 1; next < pageCount; next += concurrency) {
      const batch: Promise<RawList<T>>[] = [];
      for (let p = next; p < Math.min(pageCount, next + concurrency); p++) batch.push(this.page<T>(endpoint, p));
      for (const list of await Promise.all(batch)) pages.push(list.items ?? []);
    }
    return pages.flat();
  }

  private async page<T>(endpoint: string, page: number): Promise<RawList<T>> {
    const list = await this.get<RawList<T>>(endpoint, { page, itemsPerPage: this.opts.pageSize });
    if (typeof list !== 'object' || list === null || (list.items !== undefined && !Array.isArray(list.items))) {
      throw new MediaMtxError(`${endpoint}: answer is not a list`);
    }
    return list;
  }

  private async get<T>(endpoint: string, params?: Record<string, number>): Promise<T> {
    const { status, body } = await this.request(endpoint, params).catch((err: unknown) => {
      throw new MediaMtxError(`${endpoint}: ${describe(err)}`);
    });
    if (status !== 200) throw new MediaMtxError(`${endpoint}: HTTP ${status}`, status);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new MediaMtxError(`${endpoint}: malformed JSON`);
    }
  }

  /**
   * One GET with node's http client: a 10k-path poll is ~27 MB of JSON, and decoding the joined
   * chunks once (see decode) costs clearly less CPU than a general HTTP library's buffering. No
   * redirects are followed; timeoutMs bounds the whole exchange.
   */
  private request(endpoint: string, params: Record<string, number> | undefined): Promise<{ status: number; body: string }> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + endpoint, this.base);
    for (const [key, value] of Object.entries(params ?? {})) url.searchParams.set(key, String(value));
    const get = url.protocol === 'https:' ? https.get : http.get;
    return new Promise((resolve, reject) => {
      const req = get(url, { agent: this.agent, auth: this.auth }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve({ status: res.statusCode ?? 0, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: 200, body: decode(Buffer.concat(chunks)) }));
        res.on('error', reject);
      });
      // Settle first: destroying a request whose body is streaming reports "aborted", not the cause.
      const timer = setTimeout(() => {
        reject(new TimeoutError());
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
    });
  }
}

class TimeoutError extends Error {
  constructor() {
    super('timed out');
  }
}

/**
 * A body as one flat string. Appending decoded chunks builds a rope that JSON.parse first copies
 * flat; and an all-ASCII body (the usual one) is the same in Latin-1, which decodes as a plain
 * copy where UTF-8 decoding checks every byte again.
 */
function decode(body: Buffer): string {
  return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
}

function other(layout: ApiLayout): ApiLayout {
  return layout === 'v1.20' ? 'v1.21' : 'v1.20';
}

function describe(err: unknown): string {
  if (err instanceof TimeoutError) return err.message;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}
