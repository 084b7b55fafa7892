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
    packetsReceived: f.counterOf('packetsReceived', 'packetsReceived'),
    packetsSent: f.counterOf('packetsSent', 'packetsSent'),
    packetsReceivedLoss: f.counterOf('packetsReceivedLoss', 'packetsReceivedLoss'),
    packetsReceivedRetrans: f.counterOf('packetsReceivedRetrans', 'packetsReceivedRetrans'),
    packetsReceivedDrop: f.counterOf('packetsReceivedDrop', 'packetsReceivedDrop'),
    packetsReceivedBelated: f.counterOf('packetsReceivedBelated', 'packetsReceivedBelated'),
    packetsReceivedUndecrypt: f.counterOf('packetsReceivedUndecrypt', 'packetsReceivedUndecrypt'),
    packetsSendLoss: f.counterOf('packetsSendLoss', 'packetsSendLoss'),
    packetsRetrans: f.counterOf('packetsRetrans', 'packetsRetrans'),
    packetsSendDrop: f.counterOf('packetsSendDrop', 'packetsSendDrop'),
    window10s: null,
    window60s: null,
  };
}
