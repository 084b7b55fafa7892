/**
 * Which endpoint a request path names and what it answers, like MediaMTX's API router. Pure: the
 * world, the time and the rendering mode come in, a status and a JSON body go out.
 */
import { INFO, LIST_ENDPOINTS, PATHS_LIST, type ApiLayout, type ConnType } from '@mmon/shared';
import { paginate } from './paginate';
import { renderConn, renderMuxer, renderPath } from './render';
import type { World } from './world';

export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteContext {
  world: World;
  now: number;
  legacy: boolean;
  info: { version: string; started: string };
}

type Listable = ConnType | 'hlsMuxer' | 'path';

export function errorReply(status: number, error: string): Reply {
  return { status, body: { status: 'error', error } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFoundText(kind: Listable): string {
  if (kind === 'path') return 'path not found';
  if (kind === 'hlsMuxer') return 'muxer not found';
  return kind.endsWith('Conn') ? 'connection not found' : 'session not found';
}

function pageReply<T>(all: readonly T[], render: (item: T) => unknown, query: URLSearchParams): Reply {
  const page = paginate(all, query.get('itemsPerPage'), query.get('page'));
  if (!page.ok) return errorReply(400, page.error);
  return { status: 200, body: { itemCount: all.length, pageCount: page.pageCount, items: page.items.map(render) } };
}

function listReply(ctx: RouteContext, kind: Listable, query: URLSearchParams): Reply {
  const { world, now, legacy } = ctx;
  if (kind === 'path') return pageReply(world.pathList(), (p) => renderPath(p, now, legacy), query);
  if (kind === 'hlsMuxer') return pageReply(world.muxerList(), (m) => renderMuxer(m, now, legacy), query);
  return pageReply(world.connList(kind), (c) => renderConn(c, now, legacy), query);
}

function getReply(ctx: RouteContext, kind: Listable, rawKey: string): Reply {
  const { world, now, legacy } = ctx;
  if (kind === 'path' || kind === 'hlsMuxer') {
    let name: string;
    try {
      name = decodeURIComponent(rawKey);
    } catch {
      return errorReply(400, 'invalid name');
    }
    if (name === '') return errorReply(400, 'invalid name');
    const path = world.path(name);
    if (kind === 'path') return path ? { status: 200, body: renderPath(path, now, legacy) } : errorReply(404, notFoundText(kind));
    return path?.muxer ? { status: 200, body: renderMuxer(path.muxer, now, legacy) } : errorReply(404, notFoundText(kind));
  }
  if (rawKey === '' || rawKey.includes('/')) return errorReply(404, 'not found');
  if (rawKey.length !== 36) return errorReply(400, `invalid UUID length: ${rawKey.length}`);
  if (!UUID.test(rawKey)) return errorReply(400, 'invalid UUID format');
  const conn = world.conn(kind, rawKey);
  return conn ? { status: 200, body: renderConn(conn, now, legacy) } : errorReply(404, notFoundText(kind));
}

export class Router {
  private readonly lists = new Map<string, Listable>();
  private readonly gets: [prefix: string, kind: Listable][] = [];

  constructor(layouts: readonly ApiLayout[]) {
    this.lists.set(PATHS_LIST, 'path');
    this.gets.push(['/v3/paths/get/', 'path']);
    for (const [kind, byLayout] of Object.entries(LIST_ENDPOINTS) as [Listable, Record<ApiLayout, string>][]) {
      for (const layout of layouts) {
        this.lists.set(byLayout[layout], kind);
        this.gets.push([byLayout[layout].replace(/\/list$/, '/get/'), kind]);
      }
    }
  }

  route(ctx: RouteContext, method: string, pathname: string, query: URLSearchParams): Reply {
    if (method !== 'GET') return errorReply(404, 'not found');
    if (pathname === INFO) return { status: 200, body: { version: ctx.info.version, started: ctx.info.started } };
    const list = this.lists.get(pathname);
    if (list) return listReply(ctx, list, query);
    for (const [prefix, kind] of this.gets) {
      if (pathname.startsWith(prefix)) return getReply(ctx, kind, pathname.slice(prefix.length));
    }
    return errorReply(404, 'not found');
  }
}
