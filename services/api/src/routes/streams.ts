import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import { StreamReader } from '@mmon/shared';
import { principalOf } from '../auth/auth';
import type { ApiDeps } from '../deps';
import { detailJson } from '../detail';
import { HttpError, fromRedis } from '../errors';
import type { LatestCache } from '../latest';
import { NODE_ID, STREAM_NAME, readQuery } from '../query';

const EMPTY = Buffer.from('[]');

/** Writes a prepared JSON body, answering 304 when the client has it already. */
export function sendPrepared(req: IncomingMessage, res: ServerResponse, body: Buffer, etag: string): void {
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    ETag: etag,
  });
  res.end(body);
}

/**
 * GET /api/streams/latest[?node=ID][&detail=1]: the summaries of every node, or one node's, as
 * the collectors stored them; detail=1 adds each stream's connections and frame errors (read from
 * Redis per request: it is for scripts).
 * GET /api/streams/detail?node=ID&name=NAME: one stream's detail.
 * Connection addresses are masked for the principals that see them masked (privacy.ts).
 */
export function streamRoutes(deps: ApiDeps, cache: LatestCache): Router {
  const reader = new StreamReader(deps.redis);
  const router = Router();
  router.get('/api/streams/latest', async (req, res) => {
    const q = readQuery(req, { node: NODE_ID, detail: /^1$/ });
    if (q.detail === undefined) {
      if (q.node === undefined) return sendPrepared(req, res, cache.streams.body, cache.streams.etag);
      const one = cache.node(q.node);
      return sendPrepared(req, res, one?.body ?? EMPTY, one?.etag ?? `"none-${q.node}"`);
    }
    const ids = q.node === undefined ? cache.nodeIds() : cache.node(q.node) ? [q.node] : [];
    const parts = await fromRedis(Promise.all(ids.map((id) => reader.allDetails(id))));
    const { masked } = principalOf(req);
    const items: string[] = [];
    ids.forEach((id, i) => {
      for (const row of cache.node(id)?.rows.values() ?? []) items.push(detailJson(row, parts[i][row.name] ?? null, masked));
    });
    res.set('Cache-Control', 'no-cache').type('application/json').send(`[${items.join(',')}]`);
  });
  router.get('/api/streams/detail', async (req, res) => {
    const q = readQuery(req, { node: NODE_ID, name: STREAM_NAME });
    if (q.node === undefined || q.name === undefined) throw new HttpError(400, 'query parameters "node" and "name" are required');
    const summary = cache.node(q.node)?.rows.get(q.name);
    if (!summary) throw new HttpError(404, 'no such stream');
    const [part] = await fromRedis(reader.details(q.node, [q.name]));
    res.set('Cache-Control', 'no-cache').type('application/json').send(detailJson(summary, part, principalOf(req).masked));
  });
  return router;
}
