import type { MoqDetail } from '@mmon/shared';
import type { Fields } from './raw';

/** A MoQ session's figures (MediaMTX's MoQSession). */
export function moqDetail(f: Fields): MoqDetail {
  return { transport: f.text('transport'), version: f.text('version'), state: f.text('state') };
}
