import { CONN_TYPES, type ConnType, type RawConn, type RawPath, type RawSnapshot } from '@mmon/shared';

/** A RawSnapshot as MediaMTX's lists would give it; lists not named are empty. */
export function snapshot(
  paths: RawPath[],
  conns: Partial<Record<ConnType, RawConn[]>> = {},
  hlsMuxers: RawConn[] = [],
): RawSnapshot {
  const all = Object.fromEntries(CONN_TYPES.map((t) => [t, conns[t] ?? []])) as Record<ConnType, RawConn[]>;
  return { info: { version: 'v1.20.1' }, paths, conns: all, hlsMuxers, connsComplete: true };
}

/** An online SRT-published path with one SRT reader, v1.20 field names. */
export function srtPath(name: string, sourceId = 'src-1', readerIds: string[] = []): RawPath {
  return {
    name,
    confName: 'all_others',
    source: { type: 'srtConn', id: sourceId },
    online: true,
    onlineTime: '2026-11-24T05:00:00Z',
    tracks2: [{ codec: 'H264' }, { codec: 'MPEG-4 Audio' }],
    inboundBytes: 0,
    outboundBytes: 0,
    inboundFramesInError: 0,
    readers: readerIds.map((id) => ({ type: 'srtConn', id })),
  };
}

export interface SrtCounters {
  loss?: number;
  retrans?: number;
  drop?: number;
  belated?: number;
  undecrypt?: number;
  sendLoss?: number;
  sendRetrans?: number;
  sendDrop?: number;
  rtt?: number;
  bytesReceived?: number;
  bytesSent?: number;
  mbpsReceiveRate?: number;
  mbpsSendRate?: number;
}

export function srtConn(id: string, path: string, state: 'publish' | 'read', c: SrtCounters = {}): RawConn {
  const conn: RawConn = {
    id,
    created: '2026-11-24T05:00:00Z',
    remoteAddr: '127.0.0.1:40000',
    state,
    path,
    msRTT: c.rtt ?? 1.5,
    mbpsLinkCapacity: 900,
    msReceiveTsbPdDelay: 120,
    msSendTsbPdDelay: 200,
    bytesReceived: c.bytesReceived ?? 0,
    bytesSent: c.bytesSent ?? 0,
    packetsReceivedLoss: c.loss ?? 0,
    packetsReceivedRetrans: c.retrans ?? 0,
    packetsReceivedDrop: c.drop ?? 0,
    packetsReceivedBelated: c.belated ?? 0,
    packetsReceivedUndecrypt: c.undecrypt ?? 0,
    packetsSendLoss: c.sendLoss ?? 0,
    packetsRetrans: c.sendRetrans ?? 0,
    packetsSendDrop: c.sendDrop ?? 0,
  };
  if (c.mbpsReceiveRate !== undefined) conn.mbpsReceiveRate = c.mbpsReceiveRate;
  if (c.mbpsSendRate !== undefined) conn.mbpsSendRate = c.mbpsSendRate;
  return conn;
}
