import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type Redis from 'ioredis';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { FaultLog, StreamReader, type Logger } from '@mmon/shared';
import type { Auth } from './auth/auth';
import { MAX_DETAIL_STREAMS, parseClientMessage } from './clientMessage';
import { detailJson } from './detail';
import { diff, type StreamRef } from './diff';
import type { LatestCache, StreamsUpdate } from './latest';
import { Outgoing, negotiatedWindow } from './outgoing';

/**
 * A client with this much unsent data is skipped (it gets no delta) and is sent the full
 * summaries once it has caught up: well above one full message at 1,000 streams, well below what
 * a client can fall behind by without being seen as slow.
 */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** How long a watch marks a stream as viewed, and how often it is renewed while a client follows it. */
const WATCH_MS = 15_000;
const WATCH_RENEW_MS = 5_000;
/** A client's messages are small: at most MAX_DETAIL_STREAMS node/name pairs. */
const MAX_PAYLOAD = MAX_DETAIL_STREAMS * 1200;
/** permessage-deflate without server context takeover: every message is compressed once for all clients (see outgoing.ts). */
const DEFLATE = { serverNoContextTakeover: true };
/** How often open connections' sessions are checked: a session that expired or ended on another replica closes its sockets. */
const SESSION_CHECK_MS = 30_000;
/** The close code of a connection whose session ended (application range 4000-4999: 4000 + HTTP 401). */
export const CLOSE_SESSION_ENDED = 4401;
/** The messages sent whole on connect and after every change: host metrics, the thumbnails index, the alerts. */
const PUSHED = ['system', 'snapshots', 'alerts'] as const;

const REFUSALS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

interface Client {
  /** The socket under the WebSocket: messages are written to it as prepared frames. */
  socket: Duplex;
  /** The negotiated permessage-deflate window; null: uncompressed. */
  windowBits: number | null;
  /** The streams whose detail it follows. */
  detail: StreamRef[];
  /** It was skipped while slow: it gets the full summaries once its socket has drained, and nothing before. */
  needsFull: boolean;
  /** Its principal sees connection addresses masked. */
  masked: boolean;
  /** Its login session's token (password mode), to close it when the session ends. */
  token: string | null;
}

/** Answers a refused handshake with an HTTP status and the usual JSON error body, and closes. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message, status });
  socket.end(
    `HTTP/1.1 ${status} ${REFUSALS[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * WebSocket push at /api/ws: on connect the full summaries ("streams", with the update counter
 * seq), host metrics, thumbnails index and alerts (each of these three again whole after every
 * change, read once for every client); then one "streams.delta" per node update; the full
 * summaries again on "resync" and to a client that was skipped while slow; and "detail" of the
 * streams a client follows, after every update of their node (one Redis read per node update,
 * shared by every client). Followed streams are watched in Redis so their collector refreshes
 * their detail every cycle. The handshake needs what every /api/ path needs (auth.ts): 401 without a
 * session; a client sees addresses as its principal may (masked detail text is made once per
 * update for every masked client), and is closed when its session ends.
 */
export function attachWebSocket(server: Server, cache: LatestCache, redis: Redis, logger: Logger, auth: Auth): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: DEFLATE });
  const reader = new StreamReader(redis);
  const faults = new FaultLog(logger);
  const clients = new Map<WebSocket, Client>();
  const windows = new WeakMap<IncomingMessage, number | null>();
  wss.on('headers', (headers: string[], req: IncomingMessage) => windows.set(req, negotiatedWindow(headers)));
  let full: { seq: number; message: Outgoing } | null = null;

  const send = (ws: WebSocket, client: Client, message: Outgoing) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const [header, payload] = message.frame(client.windowBits);
    client.socket.cork();
    client.socket.write(header);
    client.socket.write(payload);
    client.socket.uncork();
  };
  /** The full summaries message of the current seq, built once for every client that needs it. */
  const fullMessage = (): Outgoing => {
    if (full?.seq !== cache.seq) {
      const collectedAt = JSON.stringify(cache.meta?.collectedAt ?? null);
      const head = `{"type":"streams","seq":${cache.seq},"collectedAt":${collectedAt},"data":`;
      full = { seq: cache.seq, message: new Outgoing(Buffer.concat([Buffer.from(head), cache.streams.body, Buffer.from('}')])) };
    }
    return full.message;
  };
  const sendFull = (ws: WebSocket, client: Client) => {
    if (ws.bufferedAmount >= MAX_BUFFERED) skip(ws, client);
    else send(ws, client, fullMessage());
  };
  /** A slow client gets nothing more until its socket has written everything, then the full summaries. */
  const skip = (ws: WebSocket, client: Client) => {
    if (client.needsFull) return;
    client.needsFull = true;
    client.socket.once('drain', () => {
      client.needsFull = false;
      sendFull(ws, client);
    });
  };

  /** Sends each client its followed streams of `nodes` (every node when null), read with one HMGET per node. */
  const sendDetail = async (targets: Iterable<[WebSocket, Client]>, nodes: Set<string> | null) => {
    const wanted = new Map<string, Set<string>>();
    const subscribers: [WebSocket, Client, StreamRef[]][] = [];
    for (const [ws, client] of targets) {
      const refs = client.detail.filter((r) => (nodes === null || nodes.has(r.node)) && cache.node(r.node)?.rows.has(r.name));
      if (refs.length === 0) continue;
      subscribers.push([ws, client, refs]);
      for (const r of refs) (wanted.get(r.node) ?? wanted.set(r.node, new Set()).get(r.node)!).add(r.name);
    }
    if (subscribers.length === 0) return;
    /** Per stream its detail text, whole and (made when a masked client needs it) masked. */
    const texts = new Map<string, { text: (masked: boolean) => string }>();
    try {
      await Promise.all(
        [...wanted].map(async ([node, set]) => {
          const names = [...set];
          const parts = await reader.details(node, names);
          names.forEach((name, i) => {
            const summary = cache.node(node)?.rows.get(name);
            if (!summary) return;
            const made: [string?, string?] = [];
            texts.set(`${node}\u0000${name}`, { text: (masked) => (made[+masked] ??= detailJson(summary, parts[i], masked)) });
          });
        }),
      );
      faults.ok('redis detail read');
    } catch (err) {
      faults.fail('redis detail read', err);
      return;
    }
    for (const [ws, client, refs] of subscribers) {
      const items = refs.map((r) => texts.get(`${r.node}\u0000${r.name}`)?.text(client.masked)).filter((t) => t !== undefined);
      if (items.length > 0 && !client.needsFull) send(ws, client, Outgoing.of(`{"type":"detail","data":[${items.join(',')}]}`));
    }
  };

  /** Marks streams as viewed (every followed stream when refs is null) for WATCH_MS. */
  const watch = (refs: StreamRef[] | null) => {
    const byNode = new Map<string, Set<string>>();
    for (const r of refs ?? [...clients.values()].flatMap((c) => c.detail)) {
      (byNode.get(r.node) ?? byNode.set(r.node, new Set()).get(r.node)!).add(r.name);
    }
    const until = Date.now() + WATCH_MS;
    for (const [node, names] of byNode) {
      reader.watch(node, [...names], until).then(
        () => faults.ok('redis watch'),
        (err: unknown) => faults.fail('redis watch', err),
      );
    }
  };
  const renew = setInterval(() => watch(null), WATCH_RENEW_MS);
  renew.unref();
  wss.on('close', () => clearInterval(renew));

  const closeSession = (token: string) => {
    for (const [ws, client] of clients) if (client.token === token) ws.close(CLOSE_SESSION_ENDED, 'session ended');
  };
  auth.on('logout', closeSession);
  const checkSessions = setInterval(() => {
    const tokens = [...new Set([...clients.values()].map((c) => c.token).filter((t) => t !== null))];
    auth.alive(tokens).then(
      (alive) => tokens.forEach((t, i) => alive[i] || closeSession(t)),
      (err: unknown) => faults.fail('redis session check', err),
    );
  }, SESSION_CHECK_MS);
  checkSessions.unref();
  wss.on('close', () => {
    clearInterval(checkSessions);
    auth.off('logout', closeSession);
  });

  const onMessage = (ws: WebSocket, client: Client, data: RawData, isBinary: boolean) => {
    const msg = isBinary ? null : parseClientMessage(data.toString());
    if (msg === null) return ws.close(1008, 'unknown message');
    if (msg.type === 'resync') return client.needsFull ? undefined : sendFull(ws, client);
    client.detail = msg.streams;
    watch(msg.streams);
    void sendDetail([[ws, client]], null);
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, masked: boolean, token: string | null) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { socket, windowBits: windows.get(req) ?? null, detail: [], needsFull: false, masked, token };
      clients.set(ws, client);
      ws.on('close', () => clients.delete(ws));
      // ws closes a client that breaks the protocol (e.g. a message over maxPayload) itself;
      // listening keeps its error event from ending the process
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => onMessage(ws, client, data, isBinary));
      sendFull(ws, client);
      for (const kind of PUSHED) {
        const msg = pushMessage(cache, kind);
        if (msg !== null) send(ws, client, Outgoing.of(msg));
      }
    });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/ws') return refuse(socket, 404, 'not found');
    // Until ws takes the socket over, a reset while the session is looked up must not go unheard.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    void auth.admitUpgrade(req).then((admission) => {
      socket.off('error', onError);
      if (socket.destroyed) return;
      if ('status' in admission) return refuse(socket, admission.status, admission.message);
      accept(req, socket, head, admission.principal.masked, admission.principal.token);
    });
  });

  cache.on('streams', (update: StreamsUpdate) => {
    if (clients.size === 0) return;
    const { added, changed, removed } = diff(update.prev, update.next);
    const delta = Outgoing.of(
      JSON.stringify({ type: 'streams.delta', seq: update.seq, collectedAt: update.collectedAt, node: update.node, added, changed, removed }),
    );
    for (const [ws, client] of clients) {
      if (ws.readyState !== WebSocket.OPEN || client.needsFull) continue;
      if (ws.bufferedAmount >= MAX_BUFFERED) skip(ws, client);
      else send(ws, client, delta);
    }
    void sendDetail(clients, new Set([update.node]));
  });
  for (const kind of PUSHED) {
    cache.on(kind, () => {
      const text = clients.size > 0 ? pushMessage(cache, kind) : null;
      if (text === null) return;
      const msg = Outgoing.of(text);
      for (const [ws, client] of clients) {
        if (!client.needsFull && ws.bufferedAmount < MAX_BUFFERED) send(ws, client, msg);
      }
    });
  }
  return wss;
}

/** A push message (see PUSHED), built from the cached JSON text without parsing it. */
export function pushMessage(cache: LatestCache, kind: (typeof PUSHED)[number]): string | null {
  const data = cache[kind];
  return data === null ? null : `{"type":"${kind}","data":${data}}`;
}
