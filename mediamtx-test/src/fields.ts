/**
 * The fields MediaMTX v1.20 sends for each kind of object, as in its Go structs (internal/defs):
 * plain fields, counters, and the deprecated names that repeat a counter (bytesReceived for
 * inboundBytes, rtpPacketsLost for inboundRTPPacketsLost, ...). Current MediaMTX sends both names;
 * an older v1.x ("legacy") only knew the old ones.
 */
import { CONN_TYPES, type ConnType } from '@mmon/shared';

export type Kind = ConnType | 'path' | 'hlsMuxer';

export interface KindFields {
  /** Counter fields under their current names, in output order. */
  counters: readonly string[];
  /** current name -> deprecated name that carries the same value. */
  aliases: Readonly<Record<string, string>>;
}

/** Counters that are fractional numbers; every other counter is a whole number >= 0. */
export const FLOAT_FIELDS: ReadonlySet<string> = new Set([
  'mbpsLinkCapacity',
  'mbpsMaxBW',
  'mbpsReceiveRate',
  'mbpsSendRate',
  'msRTT',
  'packetsReceivedLossRate',
  'packetsSendLossRate',
  'usPacketsSendPeriod',
  'inboundRTPPacketsJitter',
]);

const BYTES_ALIASES = { inboundBytes: 'bytesReceived', outboundBytes: 'bytesSent' } as const;

const RTMP: KindFields = {
  counters: ['inboundBytes', 'outboundBytes', 'outboundFramesDiscarded'],
  aliases: BYTES_ALIASES,
};

const RTSP: KindFields = {
  counters: [
    'inboundBytes',
    'inboundRTPPackets',
    'inboundRTPPacketsLost',
    'inboundRTPPacketsInError',
    'inboundRTPPacketsJitter',
    'inboundRTCPPackets',
    'inboundRTCPPacketsInError',
    'outboundBytes',
    'outboundRTPPackets',
    'outboundRTPPacketsReportedLost',
    'outboundRTPPacketsDiscarded',
    'outboundRTCPPackets',
  ],
  aliases: {
    ...BYTES_ALIASES,
    inboundRTPPackets: 'rtpPacketsReceived',
    outboundRTPPackets: 'rtpPacketsSent',
    inboundRTPPacketsLost: 'rtpPacketsLost',
    inboundRTPPacketsInError: 'rtpPacketsInError',
    inboundRTPPacketsJitter: 'rtpPacketsJitter',
    inboundRTCPPackets: 'rtcpPacketsReceived',
    outboundRTCPPackets: 'rtcpPacketsSent',
    inboundRTCPPacketsInError: 'rtcpPacketsInError',
  },
};

const SRT: KindFields = {
  counters: [
    'packetsSent',
    'packetsReceived',
    'packetsSentUnique',
    'packetsReceivedUnique',
    'packetsSendLoss',
    'packetsReceivedLoss',
    'packetsRetrans',
    'packetsReceivedRetrans',
    'packetsSentACK',
    'packetsReceivedACK',
    'packetsSentNAK',
    'packetsReceivedNAK',
    'packetsSentKM',
    'packetsReceivedKM',
    'usSndDuration',
    'packetsReceivedBelated',
    'packetsSendDrop',
    'packetsReceivedDrop',
    'packetsReceivedUndecrypt',
    'bytesSent',
    'bytesReceived',
    'bytesSentUnique',
    'bytesReceivedUnique',
    'bytesReceivedLoss',
    'bytesRetrans',
    'bytesReceivedRetrans',
    'bytesReceivedBelated',
    'bytesSendDrop',
    'bytesReceivedDrop',
    'bytesReceivedUndecrypt',
    'usPacketsSendPeriod',
    'packetsFlowWindow',
    'packetsFlightSize',
    'msRTT',
    'mbpsSendRate',
    'mbpsReceiveRate',
    'mbpsLinkCapacity',
    'bytesAvailSendBuf',
    'bytesAvailReceiveBuf',
    'mbpsMaxBW',
    'byteMSS',
    'packetsSendBuf',
    'bytesSendBuf',
    'msSendBuf',
    'msSendTsbPdDelay',
    'packetsReceiveBuf',
    'bytesReceiveBuf',
    'msReceiveBuf',
    'msReceiveTsbPdDelay',
    'packetsReorderTolerance',
    'packetsReceivedAvgBelatedTime',
    'packetsSendLossRate',
    'packetsReceivedLossRate',
    'outboundFramesDiscarded',
  ],
  aliases: {},
};

const WEBRTC: KindFields = {
  counters: [
    'inboundBytes',
    'inboundRTPPackets',
    'inboundRTPPacketsLost',
    'inboundRTPPacketsJitter',
    'inboundRTCPPackets',
    'outboundBytes',
    'outboundFramesDiscarded',
    'outboundRTPPackets',
    'outboundRTCPPackets',
  ],
  aliases: {
    ...BYTES_ALIASES,
    inboundRTPPackets: 'rtpPacketsReceived',
    outboundRTPPackets: 'rtpPacketsSent',
    inboundRTPPacketsLost: 'rtpPacketsLost',
    inboundRTPPacketsJitter: 'rtpPacketsJitter',
    inboundRTCPPackets: 'rtcpPacketsReceived',
    outboundRTCPPackets: 'rtcpPacketsSent',
  },
};

export const KIND_FIELDS: Readonly<Record<Kind, KindFields>> = {
  path: { counters: ['inboundBytes', 'outboundBytes', 'inboundFramesInError'], aliases: BYTES_ALIASES },
  hlsMuxer: { counters: ['outboundBytes', 'outboundFramesDiscarded'], aliases: { outboundBytes: 'bytesSent' } },
  srtConn: SRT,
  rtmpConn: RTMP,
  rtmpsConn: RTMP,
  rtspSession: RTSP,
  rtspsSession: RTSP,
  webRTCSession: WEBRTC,
  hlsSession: { counters: ['outboundBytes'], aliases: {} },
  moqSession: { counters: ['inboundBytes', 'outboundBytes'], aliases: {} },
};

/** The counter that holds a connection's received and sent bytes. */
export function bytesFields(type: ConnType): { inbound: string | null; outbound: string } {
  if (type === 'srtConn') return { inbound: 'bytesReceived', outbound: 'bytesSent' };
  if (type === 'hlsSession') return { inbound: null, outbound: 'outboundBytes' };
  return { inbound: 'inboundBytes', outbound: 'outboundBytes' };
}

/** Types that may publish to a path (PathSourceType); HLS sessions only read. */
export const PUBLISHING_TYPES: ReadonlySet<ConnType> = new Set(CONN_TYPES.filter((t) => t !== 'hlsSession'));
