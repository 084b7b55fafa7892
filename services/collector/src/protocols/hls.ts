import type { HlsDetail, RawConn } from '@mmon/shared';
import { flag, num, text } from './raw';

/**
 * An HLS session's figures (MediaMTX's HLSSession) joined with its path's muxer (HLSMuxer), which
 * MediaMTX keeps per path rather than per reader: every HLS reader of a path shows the same muxer
 * figures. Without a muxer they are null.
 */
export function hlsDetail(session: RawConn, muxer: RawConn | undefined): HlsDetail {
  return {
    lastRequest: text(muxer, 'lastRequest'),
    framesDiscarded: muxer === undefined ? null : (num(muxer, 'outboundFramesDiscarded') ?? 0),
    isCDN: flag(session, 'isCDN'),
  };
}
