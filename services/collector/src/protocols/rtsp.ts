import type { RawConn, RtspDetail } from '@mmon/shared';
import { num, text } from './raw';

/** An RTSP(S) session's figures (MediaMTX's RTSPSession); the deprecated names are the fallback. */
export function rtspDetail(raw: RawConn): RtspDetail {
  return {
    transport: text(raw, 'transport'),
    profile: text(raw, 'profile'),
    rtpPacketsLost: num(raw, 'inboundRTPPacketsLost') ?? num(raw, 'rtpPacketsLost') ?? 0,
    rtpPacketsInError: num(raw, 'inboundRTPPacketsInError') ?? num(raw, 'rtpPacketsInError') ?? 0,
    rtcpPacketsInError: num(raw, 'inboundRTCPPacketsInError') ?? num(raw, 'rtcpPacketsInError') ?? 0,
    jitter: num(raw, 'inboundRTPPacketsJitter') ?? num(raw, 'rtpPacketsJitter') ?? null,
    rtpPacketsReportedLost: num(raw, 'outboundRTPPacketsReportedLost') ?? 0,
    rtpPacketsDiscarded: num(raw, 'outboundRTPPacketsDiscarded') ?? 0,
    window10s: null,
  };
}
