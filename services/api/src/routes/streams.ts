import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import type { LatestCache } from '../latest';
import { NODE_ID, readQuery } from '../query';

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

/** GET /api/streams/latest[?node=ID]: the merged streams of every node, or one node's. */
export function streamRoutes(cache: LatestCache): Router {
  const router = Router();
  router.get('/api/streams/latest', (req, res) => {
    const { node } = readQuery(req, { node: NODE_ID });
    const { body, etag } = cache.streams;
    if (node === undefined) return sendPrepared(req, res, body, etag);
    sendPrepared(req, res, cache.streamsOfNode(node), `${etag.slice(0, -1)}-${node}"`);
  });
  return router;
}
