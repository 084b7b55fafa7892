import type { StreamSummary } from '@mmon/shared';

/** A stream's identity on the wire: node and name together. */
export interface StreamRef {
  node: string;
  name: string;
}

/** One changed stream: its identity and only the fields whose value changed. */
export type StreamChange = StreamRef & Partial<Omit<StreamSummary, 'node' | 'name'>>;

/** What changed between two versions of one node's summaries (the body of a "streams.delta" message). */
export interface StreamsDiff {
  added: StreamSummary[];
  changed: StreamChange[];
  removed: StreamRef[];
}

/**
 * The difference between two versions of one node's summaries, both keyed by stream name: rows
 * that appeared, rows that went away and, for rows in both, the fields whose value changed (an
 * object or array field whole, so a client replaces it rather than merging into it). A field that
 * a row lost is reported as null, the closest JSON can say. Pure: no I/O, the inputs are not changed.
 */
export function diff(prev: ReadonlyMap<string, StreamSummary>, next: ReadonlyMap<string, StreamSummary>): StreamsDiff {
  const out: StreamsDiff = { added: [], changed: [], removed: [] };
  for (const [name, row] of next) {
    const before = prev.get(name);
    if (before === undefined) {
      out.added.push(row);
      continue;
    }
    const change = changedFields(before, row);
    if (change) out.changed.push(change);
  }
  for (const [name, row] of prev) {
    if (!next.has(name)) out.removed.push({ node: row.node, name });
  }
  return out;
}

function changedFields(before: StreamSummary, after: StreamSummary): StreamChange | null {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  let change: Record<string, unknown> | null = null;
  for (const field in b) {
    if (!sameValue(a[field], b[field])) (change ??= { node: after.node, name: after.name })[field] = b[field];
  }
  for (const field in a) {
    if (!(field in b)) (change ??= { node: after.node, name: after.name })[field] = null;
  }
  return change as StreamChange | null;
}

/** Deep equality of JSON values (what JSON.parse gives: no cycles, no undefined inside arrays). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!(key in y) || !sameValue(x[key], y[key])) return false;
    count++;
  }
  for (const _ in y) count--;
  return count === 0;
}
