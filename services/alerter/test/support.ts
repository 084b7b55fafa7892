import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamStore, type StreamSummary } from '@mmon/shared';
import { collectorStatus } from '@mmon/test-support';

export interface Received {
  /** When the request arrived (ms). */
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/**
 * A real HTTP receiver on loopback that records every POST. Answers are taken from `answers` in
 * order (status and headers), then 200.
 */
export class Receiver {
  readonly requests: Received[] = [];
  readonly answers: { status: number; headers?: Record<string, string> }[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<Receiver> {
    const server = http.createServer();
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (text += d));
      req.on('end', () => {
        receiver.requests.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as unknown });
        const answer = receiver.answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, answer.headers ?? {}).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The bodies received on one path. */
  bodies(path: string): unknown[] {
    return this.requests.filter((r) => r.path === path).map((r) => r.body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A stream summary as a collector publishes it (online, one reader). */
export function summary(node: string, name: string, over: Partial<StreamSummary> = {}): StreamSummary {
  return {
    node,
    name,
    confName: 'all_others',
    online: true,
    onlineSince: '2026-12-01T05:00:00.000Z',
    offlineSince: null,
    sourceType: 'srtConn',
    tracks: ['H264'],
    video: { codec: 'H264', width: 1920, height: 1080 },
    bytesReceived: 1000,
    bytesSent: 2000,
    readers: 1,
    rtt: 2,
    recvRateMbps: 4,
    sendRateMbps: 4,
    linkCapacityMbps: 100,
    srt10s: { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 },
    health: { level: 'ok', reasons: [] },
    ...over,
  };
}

/** The same stream gone offline (as the collector marks it). */
export function offline(node: string, name: string, since = new Date().toISOString()): StreamSummary {
  return summary(node, name, {
    online: false,
    onlineSince: null,
    offlineSince: since,
    sourceType: null,
    readers: 0,
    rtt: null,
    recvRateMbps: null,
    srt10s: null,
    health: { level: 'crit', reasons: ['offline'] },
  });
}

/** Publishes a node's summaries through the real StreamStore, as the collector does. */
export function publish(store: StreamStore, node: string, rows: StreamSummary[]): Promise<string[]> {
  const now = new Date();
  return store.publishNode(collectorStatus(node, { streams: rows.length }), JSON.stringify(rows), { mode: 'keep' }, now.toISOString(), now.getTime());
}
