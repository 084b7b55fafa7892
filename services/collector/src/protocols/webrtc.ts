import type { WebrtcDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** A WebRTC session's figures (MediaMTX's WebRTCSession); the deprecated names are the fallback. */
export function webrtcDetail(f: Fields): WebrtcDetail {
  return {
    peerConnectionEstablished: f.flag('peerConnectionEstablished'),
    localCandidate: f.text('localCandidate'),
    remoteCandidate: f.text('remoteCandidate'),
    jitter: f.ms('inboundRTPPacketsJitter') ?? f.ms('rtpPacketsJitter'),
    rtpPacketsLost: f.counterOf('rtpPacketsLost', 'inboundRTPPacketsLost', 'rtpPacketsLost'),
    framesDiscarded: f.counterOf('framesDiscarded', 'outboundFramesDiscarded'),
    window10s: null,
  };
}
