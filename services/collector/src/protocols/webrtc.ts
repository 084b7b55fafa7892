import type { RawConn, WebrtcDetail } from '@mmon/shared';
import { flag, num, text } from './raw';

/** A WebRTC session's figures (MediaMTX's WebRTCSession); the deprecated names are the fallback. */
export function webrtcDetail(raw: RawConn): WebrtcDetail {
  return {
    peerConnectionEstablished: flag(raw, 'peerConnectionEstablished'),
    localCandidate: text(raw, 'localCandidate'),
    remoteCandidate: text(raw, 'remoteCandidate'),
    jitter: num(raw, 'inboundRTPPacketsJitter') ?? num(raw, 'rtpPacketsJitter') ?? null,
    rtpPacketsLost: num(raw, 'inboundRTPPacketsLost') ?? num(raw, 'rtpPacketsLost') ?? 0,
    framesDiscarded: num(raw, 'outboundFramesDiscarded') ?? 0,
    window10s: null,
  };
}
