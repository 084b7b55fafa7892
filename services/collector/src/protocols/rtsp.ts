import type { RtspDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** An RTSP(S) session's figures (MediaMTX's RTSPSession); the deprecated names are the fallback. */
export function rtspDetail(f: Fields): RtspDetail {
  return {
    transport: f.text('transport'),
    profile: f.text('profile'),
    rtpPacketsLost: f.counterOf('rtpPacketsLost', 'inboundRTPPacketsLost', 'rtpPacketsLost'),
    rtpPacketsInError: f.counterOf('rtpPacketsInError', 'inboundRTPPacketsInError', 'rtpPacketsInError'),
    rtcpPacketsInError: f.counterOf('rtcpPacketsInError', 'inboundRTCPPacketsInError', 'rtcpPacketsInError'),
    jitter: f.ms('inboundRTPPacketsJitter') ?? f.ms('rtpPacketsJitter'),
    rtpPacketsReportedLost: f.counterOf('rtpPacketsReportedLost', 'outboundRTPPacketsReportedLost'),
    rtpPacketsDiscarded: f.counterOf('rtpPacketsDiscarded', 'outboundRTPPacketsDiscarded'),
    window10s: null,
  };
}
