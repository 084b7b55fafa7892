import type { MoqDetail, RawConn } from '@mmon/shared';
import { text } from './raw';

/** A MoQ session's figures (MediaMTX's MoQSession). */
export function moqDetail(raw: RawConn): MoqDetail {
  return { transport: text(raw, 'transport'), version: text(raw, 'version'), state: text(raw, 'state') };
}
