import type { RtmpDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** An RTMP(S) connection's figures (MediaMTX's RTMPConn). */
export function rtmpDetail(f: Fields): RtmpDetail {
  return { framesDiscarded: f.counterOf('framesDiscarded', 'outboundFramesDiscarded') };
}
