import { StreamStore, type StreamDetailPart, type StreamSummary } from '@mmon/shared';
import { collectorStatus } from '@mmon/test-support';

/** An online SRT stream's summary, as a collector publishes it. */
export function summary(node: string, name: string, over: Partial<StreamSummary> = {}): StreamSummary {
  return {
    node,
    name,
    confName: 'all_others',
    online: true,
    onlineSince: '2026-11-24T05:00:00.000Z',
    offlineSince: null,
    sourceType: 'srtConn',
    tracks: ['H264'],
    video: { codec: 'H264', width: 1920, height: 1080 },
    bytesReceived: 123456,
    bytesSent: 654321,
    readers: 1,
    rtt: 2,
    recvRateMbps: 1.94,
    sendRateMbps: 3.9,
    linkCapacityMbps: 1808.58,
    srt10s: { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 },
    health: { level: 'ok', reasons: [] },
    ...over,
  };
}

/** A detail part with one reader, as the collector stores it in the node's details hash. */
export function detailPart(readerId: string): StreamDetailPart {
  const conn = {
    id: readerId,
    type: 'rtspSession',
    protocol: 'rtsp' as const,
    direction: 'read' as const,
    remoteAddr: '127.0.0.1:5000',
    userAgent: null,
    created: '2026-11-24T05:00:00.000Z',
    bytesIn: 0,
    bytesOut: 10,
    rateInMbps: null,
    rateOutMbps: null,
    health: { level: 'ok' as const, reasons: [] },
  };
  return { inboundFramesInError: 0, inboundFramesInError10s: 0, source: null, readerList: [conn] };
}

/**
 * Publishes one node's summaries (and, when given, replaces its details) through the real
 * StreamStore, exactly as a collector does.
 */
export function publish(
  store: StreamStore,
  node: string,
  rows: StreamSummary[],
  collectedAt = new Date().toISOString(),
  details?: Record<string, StreamDetailPart>,
): Promise<string[]> {
  const detail = details
    ? { mode: 'replace' as const, entries: Object.entries(details).map(([name, part]): [string, string] => [name, JSON.stringify(part)]) }
    : { mode: 'keep' as const };
  return store.publishNode(collectorStatus(node, { streams: rows.length }), JSON.stringify(rows), detail, collectedAt, Date.now());
}
