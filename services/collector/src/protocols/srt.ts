import type { Direction, RawConn, SrtDetail } from '@mmon/shared';
import { num } from './raw';

/** An SRT connection's native figures (MediaMTX's SRTConn); windows are filled by derive. */
export function srtDetail(raw: RawConn, direction: Direction): SrtDetail {
  return {
    rttMs: num(raw, 'msRTT') ?? null,
    linkCapacityMbps: num(raw, 'mbpsLinkCapacity') ?? null,
    latencyMs: num(raw, direction === 'publish' ? 'msReceiveTsbPdDelay' : 'msSendTsbPdDelay') ?? null,
    mbpsReceiveRate: num(raw, 'mbpsReceiveRate') ?? null,
    mbpsSendRate: num(raw, 'mbpsSendRate') ?? null,
    packetsReceived: num(raw, 'packetsReceived') ?? 0,
    packetsSent: num(raw, 'packetsSent') ?? 0,
    packetsReceivedLoss: num(raw, 'packetsReceivedLoss') ?? 0,
    packetsReceivedRetrans: num(raw, 'packetsReceivedRetrans') ?? 0,
    packetsReceivedDrop: num(raw, 'packetsReceivedDrop') ?? 0,
    packetsReceivedBelated: num(raw, 'packetsReceivedBelated') ?? 0,
    packetsReceivedUndecrypt: num(raw, 'packetsReceivedUndecrypt') ?? 0,
    packetsSendLoss: num(raw, 'packetsSendLoss') ?? 0,
    packetsRetrans: num(raw, 'packetsRetrans') ?? 0,
    packetsSendDrop: num(raw, 'packetsSendDrop') ?? 0,
    window10s: null,
    window60s: null,
  };
}
