import type { StreamSummary } from '@mmon/shared';
import { maskDetailPart } from './privacy';

/**
 * The detail fields of a stream whose detail the collector has not stored (yet): a stream that
 * appeared since its node's last detail refresh. Null says "not known", never "none".
 */
const NO_DETAIL = '"inboundFramesInError":null,"inboundFramesInError10s":null,"source":null,"readerList":null';

/**
 * A stream's detail as JSON text: its summary with the stored detail part (a JSON object's text,
 * StreamDetailPart) spliced in, so the part, which holds every connection, is never parsed, unless
 * its addresses are to be `masked` (privacy.ts).
 */
export function detailJson(summary: StreamSummary, part: string | null, masked: boolean): string {
  const head = JSON.stringify(summary).slice(0, -1);
  const wellFormed = part !== null && part.startsWith('{') && part.endsWith('}');
  const inner = wellFormed ? (masked ? maskDetailPart(part) : part).slice(1, -1).trim() : '';
  return `${head},${inner || NO_DETAIL}}`;
}
