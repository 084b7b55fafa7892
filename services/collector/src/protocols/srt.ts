import type { Direction, SrtDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** An SRT connection's native figures (MediaMTX's SRTConn); windows are filled by derive. */
export function srtDetail(f: Fields, direction: Direction): SrtDetail {
  return {
    rttMs: f.ms('msRTT'),
    linkCapacityMbps: f.mbps('mbpsLinkCapacity'),
    latencyMs: f.ms(direction === 'publish' ? 'msReceiveTsbPdDelay' : 'msSendTsbPdDelay'),
    mbpsReceiveRate: f.mbps('mbpsReceiveRate'),
    mbpsSendRate: f.mbps('mbpsSendRate'),
    packetsReceived: f.counter('packetsReceived') ?? 0,
    packetsSent: f.counter('packetsSent') ?? 0,
    packetsReceivedLoss: f.counter('packetsReceivedLoss') ?? 0,
    packetsReceivedRetrans: f.counter('packetsReceivedRetrans') ?? 0,
    packetsReceivedDrop: f.counter('packetsReceivedDrop') ?? 0,
    packetsReceivedBelated: f.counter('packetsReceivedBelated') ?? 0,
    packetsReceivedUndecrypt: f.counter('packetsReceivedUndecrypt') ?? 0,
    packetsSendLoss: f.counter('packetsSendLoss') ?? 0,
    packetsRetrans: f.counter('packetsRetrans') ?? 0,
    packetsSendDrop: f.counter('packetsSendDrop') ?? 0,
    window10s: null,
    window60s: null,
  };
}
