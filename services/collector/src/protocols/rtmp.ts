import type { RawConn, RtmpDetail } from '@mmon/shared';
import { num } from './raw';

/** An RTMP(S) connection's figures (MediaMTX's RTMPConn). */
export function rtmpDetail(raw: RawConn): RtmpDetail {
  return { framesDiscarded: num(raw, 'outboundFramesDiscarded') ?? 0 };
}
