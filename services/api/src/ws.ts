import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { UpdateKind } from '@mmon/shared';
import type { LatestCache } from './latest';

/** A client that has this much unsent data gets no further pushes until it catches up. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/** The push message of a kind, built from the cached JSON text without parsing it again. */
export function pushMessage(cache: LatestCache, kind: UpdateKind): string | null {
  if (kind === 'streams') {
    const collectedAt = JSON.stringify(cache.streams.meta?.collectedAt ?? null);
    return `{"type":"streams","collectedAt":${collectedAt},"data":${cache.streams.body.toString('utf8')}}`;
  }
  const data = kind === 'system' ? cache.system : cache.snapshots;
  return data === null ? null : `{"type":"${kind}","data":${data}}`;
}

/** WebSocket push at /api/ws: the current values on connect, then every update. */
export function attachWebSocket(server: Server, cache: LatestCache): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"not found","status":404}');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      for (const kind of ['streams', 'system', 'snapshots'] as const) {
        const msg = pushMessage(cache, kind);
        if (msg !== null) ws.send(msg);
      }
    });
  });
  cache.on('update', (kind: UpdateKind) => {
    if (wss.clients.size === 0) return;
    const msg = pushMessage(cache, kind);
    if (msg === null) return;
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN && client.bufferedAmount < MAX_BUFFERED) client.send(msg);
    }
  });
  return wss;
}
