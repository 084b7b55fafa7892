import type { HlsDetail } from '@mmon/shared';
import type { Fields } from './raw';

/**
 * An HLS session's figures (MediaMTX's HLSSession) joined with its path's muxer (HLSMuxer), which
 * MediaMTX keeps per path rather than per reader: every HLS reader of a path shows the same muxer
 * figures. Without a muxer they are null.
 */
export function hlsDetail(session: Fields, muxer: Fields | undefined): HlsDetail {
  return {
    lastRequest: muxer?.text('lastRequest') ?? null,
    framesDiscarded: muxer === undefined ? null : (muxer.counter('outboundFramesDiscarded') ?? 0),
    isCDN: session.flag('isCDN'),
  };
}
