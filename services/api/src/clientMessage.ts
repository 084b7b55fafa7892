import type { StreamRef } from './diff';
import { NODE_ID, STREAM_NAME } from './query';

/** How many streams' detail one WebSocket client may follow at once. */
export const MAX_DETAIL_STREAMS = 20;

/** What a dashboard may send on /api/ws. */
export type ClientMessage = { type: 'resync' } | { type: 'detail'; streams: StreamRef[] };

/**
 * Reads a client's message; anything else than the known shapes (bad JSON, unknown type, more than
 * MAX_DETAIL_STREAMS streams, a malformed node or name) is null. Duplicate streams are merged.
 */
export function parseClientMessage(text: string): ClientMessage | null {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const { type, streams } = msg as { type?: unknown; streams?: unknown };
  if (type === 'resync') return { type };
  if (type !== 'detail' || !Array.isArray(streams) || streams.length > MAX_DETAIL_STREAMS) return null;
  const refs = new Map<string, StreamRef>();
  for (const s of streams as unknown[]) {
    if (typeof s !== 'object' || s === null) return null;
    const { node, name } = s as { node?: unknown; name?: unknown };
    if (typeof node !== 'string' || typeof name !== 'string' || !NODE_ID.test(node) || !STREAM_NAME.test(name)) return null;
    refs.set(`${node}\u0000${name}`, { node, name });
  }
  return { type, streams: [...refs.values()] };
}
