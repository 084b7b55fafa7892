import type { RtspDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** An RTSP(S) session's figures (MediaMTX's RTSPSession); the deprecated names are the fallback. */
export function rtspDetail(f: Fields): RtspDetail {
  return {
    transport: f.text('transport'),
    profile: f.text('profile'),
    rtpPacketsLost: f.counter('inboundRTPPacketsLost') ?? f.counter('rtpPacketsLost') ?? 0,
    rtpPacketsInError: f.counter('inboundRTPPacketsInError') ?? f.counter('rtpPacketsInError') ?? 0,
    rtcpPacketsInError: f.counter('inboundRTCPPacketsInError') ?? f.counter('rtcpPacketsInError') ?? 0,
    jitter: f.ms('inboundRTPPacketsJitter') ?? f.ms('rtpPacketsJitter'),
    rtpPacketsReportedLost: f.counter('outboundRTPPacketsReportedLost') ?? 0,
    rtpPacketsDiscarded: f.counter('outboundRTPPacketsDiscarded') ?? 0,
    window10s: null,
  };
}
