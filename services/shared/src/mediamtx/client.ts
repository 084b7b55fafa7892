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
  /** The most items one list may hold (MEDIAMTX_MAX_ITEMS); more is a fault. Default 100,000. */
  maxItems?: number;
}

export const DEFAULT_MAX_ITEMS = 100_000;

/** What one poll reads besides info and paths: every connection list, or only some connections by id. */
export interface PollOptions {
  conns: 'lists' | { type: ConnType; id: string }[];
  /**
   * The longest the whole poll may take, in ms from its start: when it passes, the requests under
   * way are aborted and poll() rejects. Without it, only each request's timeoutMs bounds a poll.
   */
  deadlineMs?: number;
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

/** The longest version or start time believed ("v1.20.1", an RFC 3339 time). */
const MAX_INFO_LENGTH = 100;

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
   * With `deadlineMs`, the poll rejects when that time has passed, and its requests are aborted;
   * the client stays usable for the next poll.
   */
  async poll(opts: PollOptions = { conns: 'lists' }): Promise<RawSnapshot> {
    this.polls++;
    if (opts.deadlineMs === undefined) return this.read(opts, undefined);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new MediaMtxError(`poll deadline of ${opts.deadlineMs} ms passed; its requests were aborted`)),
      opts.deadlineMs,
    );
    try {
      return await new Promise<RawSnapshot>((resolve, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        this.read(opts, controller.signal).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(opts: PollOptions, signal: AbortSignal | undefined): Promise<RawSnapshot> {
    const [info, paths] = await Promise.all([this.info(signal), this.listAll<RawPath>(PATHS_LIST, signal)]);
    const conns = Object.fromEntries(CONN_TYPES.map((t) => [t, [] as RawConn[]])) as Record<ConnType, RawConn[]>;
    if (opts.conns !== 'lists') {
      const items = await Promise.all(opts.conns.map((ref) => this.readConn(ref.type, ref.id, signal)));
      opts.conns.forEach((ref, i) => {
        const item = items[i];
        if (item !== null) conns[ref.type].push(item);
      });
      return { info, paths, conns, hlsMuxers: [], connsComplete: false };
    }
    // Items are MediaMTX's JSON, checked field by field by the collector: here only what decides which lists to read.
    const referenced = new Set<unknown>();
    for (const p of paths as unknown[]) {
      if (!isRecord(p)) continue;
      if (isRecord(p.source)) referenced.add(p.source.type);
      if (Array.isArray(p.readers)) for (const r of p.readers) if (isRecord(r)) referenced.add(r.type);
    }
    const wanted = CONN_TYPES.filter((t) => referenced.has(t));
    const [lists, hlsMuxers] = await Promise.all([
      Promise.all(wanted.map((t) => this.readList(t, signal))),
      referenced.has('hlsSession') ? this.readList('hlsMuxer', signal) : Promise.resolve([]),
    ]);
    wanted.forEach((t, i) => (conns[t] = lists[i]));
    return { info, paths, conns, hlsMuxers, connsComplete: true };
  }

  /** The server's version and start time; anything but a short string there (they are logged and shown) reads as absent. */
  private async info(signal: AbortSignal | undefined): Promise<RawInfo> {
    const raw = await this.get<unknown>(INFO, signal);
    const info: RawInfo = {};
    if (!isRecord(raw)) return info;
    if (typeof raw.version === 'string' && raw.version.length <= MAX_INFO_LENGTH) info.version = wellFormed(raw.version);
    if (typeof raw.started === 'string' && raw.started.length <= MAX_INFO_LENGTH) info.started = wellFormed(raw.started);
    return info;
  }

  /** One connection by id from the layout its list answers in; null when the server does not know it (any more). */
  private async readConn(type: ConnType, id: string, signal: AbortSignal | undefined): Promise<RawConn | null> {
    const layout = this.layoutOf.get(type) ?? this.preferred;
    const endpoint = `${LIST_ENDPOINTS[type][layout].replace(/\/list$/, '/get/')}${encodeURIComponent(id)}`;
    try {
      const item = await this.get<unknown>(endpoint, signal);
      return isRecord(item) ? (item as RawConn) : null;
    } catch (err) {
      if (err instanceof MediaMtxError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  }

  private async readList(kind: ListKind, signal: AbortSignal | undefined): Promise<RawConn[]> {
    const absentUntil = this.absentUntilPoll.get(kind);
    if (absentUntil !== undefined && this.polls < absentUntil) return [];
    const known = this.layoutOf.get(kind);
    const order: ApiLayout[] = known ? [known, other(known)] : [this.preferred, other(this.preferred)];
    for (const layout of order) {
      try {
        const items = await this.listAll<RawConn>(LIST_ENDPOINTS[kind][layout], signal);
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

  /**
   * Every item of a paged list: page 0 first, then the remaining pages a few at a time. pageCount
   * is believed only as far as the items justify: reading stops at an empty page and after
   * ceil(itemCount / items on page 0) pages (a list that claims 2^31 pages for 4 items is one
   * page), and a list of more than maxItems items (read, or claimed by both counts) is a fault
   * naming the list and the numbers.
   * A page without an items array (null, missing) is an empty page.
   */
  async listAll<T>(endpoint: string, signal?: AbortSignal): Promise<T[]> {
    const maxItems = this.opts.maxItems ?? DEFAULT_MAX_ITEMS;
    const tooMany = (what: string) => new MediaMtxError(`${endpoint}: ${what}, more than MEDIAMTX_MAX_ITEMS (${maxItems})`);
    const first = await this.page<T>(endpoint, 0, signal);
    const perPage = first.items.length;
    if (perPage === 0) return [];
    const itemCount = wholeNumber(first.itemCount);
    const pageCount = wholeNumber(first.pageCount);
    // A claim of too many items that the page count backs is believed at once (a server that
    // large needs a higher limit); one the page count contradicts is left to the pages.
    if (itemCount !== null && itemCount > maxItems && (pageCount === null || pageCount * perPage > maxItems)) {
      throw tooMany(`itemCount is ${itemCount} (pageCount ${String(first.pageCount)})`);
    }
    const byItems = itemCount === null ? null : Math.ceil(itemCount / perPage);
    const pages = pageCount === null ? (byItems ?? 1) : byItems === null ? pageCount : Math.min(pageCount, byItems);
    const read: T[][] = [first.items];
    let total = perPage;
    if (total > maxItems) throw tooMany(`${total} items on page 0`);
    const concurrency = this.opts.pageConcurrency ?? 4;
    for (let next = 1; next < pages; next += concurrency) {
      const batch: Promise<{ items: T[] }>[] = [];
      for (let p = next; p < Math.min(pages, next + concurrency); p++) batch.push(this.page<T>(endpoint, p, signal));
      for (const list of await Promise.all(batch)) {
        if (list.items.length === 0) return read.flat();
        read.push(list.items);
        total += list.items.length;
        if (total > maxItems) throw tooMany(`${total} items in the first ${read.length} of ${pages} pages (pageCount ${String(first.pageCount)}, itemCount ${String(first.itemCount)})`);
      }
    }
    return read.flat();
  }

  private async page<T>(endpoint: string, page: number, signal: AbortSignal | undefined): Promise<{ items: T[]; itemCount: unknown; pageCount: unknown }> {
    const list = await this.get<unknown>(endpoint, signal, { page, itemsPerPage: this.opts.pageSize });
    if (!isRecord(list)) throw new MediaMtxError(`${endpoint}: answer is not a list`);
    return { items: Array.isArray(list.items) ? (list.items as T[]) : [], itemCount: list.itemCount, pageCount: list.pageCount };
  }

  private async get<T>(endpoint: string, signal: AbortSignal | undefined, params?: Record<string, number>): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    const { status, body } = await this.request(endpoint, params, signal).catch((err: unknown) => {
      if (signal?.aborted) throw signal.reason;
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
   * redirects are followed; timeoutMs bounds the whole exchange, and the poll's signal ends it early.
   */
  private request(
    endpoint: string,
    params: Record<string, number> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: string }> {
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
      const abort = () => {
        reject(signal?.reason);
        req.destroy();
      };
      signal?.addEventListener('abort', abort, { once: true });
      req.on('error', reject);
      req.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      });
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

declare global {
  interface String {
    /** ES2024 (Node 20 has them; the project's lib is ES2022). */
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/**
 * A string as valid Unicode: lone UTF-16 surrogates become U+FFFD. JSON's \ud800 escapes can put
 * them in any string MediaMTX sends, and Redis' Lua (cjson) rejects them. Costs nothing for the
 * usual Latin-1 strings.
 */
export function wellFormed(s: string): string {
  return s.isWellFormed() ? s : s.toWellFormed();
}

/** A whole number >= 0, or null. */
function wholeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
