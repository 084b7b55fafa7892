import type { StreamSummary } from '@mmon/shared';

/** One stream to take thumbnails of. */
export interface StreamRef {
  node: string;
  name: string;
}

/** The state map's key of a stream (node and name; a NUL never occurs in either). */
export function streamKey(s: StreamRef): string {
  return `${s.node}\u0000${s.name}`;
}

/**
 * The online streams in the merged summaries as Redis holds them: distinct node and name pairs,
 * sorted by node, then name.
 */
export function onlineStreams(json: Buffer | string | null): StreamRef[] {
  if (json === null) return [];
  const parsed: unknown = JSON.parse(json.toString());
  if (!Array.isArray(parsed)) throw new Error('streams latest is not a JSON array');
  const found = new Map<string, StreamRef>();
  for (const s of parsed as Partial<StreamSummary>[]) {
    if (!s || s.online !== true || typeof s.node !== 'string' || s.node === '' || typeof s.name !== 'string' || s.name === '') continue;
    const ref = { node: s.node, name: s.name };
    found.set(streamKey(ref), ref);
  }
  return [...found.values()].sort((a, b) => compare(a.node, b.node) || compare(a.name, b.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
