/**
 * The page's copy of every stream summary, kept from the api's messages: a full "streams" replaces
 * it, a "streams.delta" is applied only when its seq follows the last one (otherwise the caller asks
 * for a resync). A changed stream gets a new object, so a row knows it has nothing to do when its
 * stream is the same object as last time. No DOM here.
 */

export const streamKey = (s) => `${s.node}\u0000${s.name}`;

/** Fields whose change can move a stream in the list or in or out of a filter (besides the sort's own). */
const ORDER_FIELDS = ['health', 'online', 'sourceType'];

export function createStreamStore() {
  /** key -> summary */
  const streams = new Map();
  let seq = null;
  let awaitingFull = false;

  return {
    streams,
    get size() {
      return streams.size;
    },
    get awaitingFull() {
      return awaitingFull;
    },

    /**
     * A full list (the WebSocket's "streams" or a poll). `seq` is absent when polling.
     * Answers what changed: every key, and that the order must be computed again.
     */
    applyFull(data, messageSeq) {
      streams.clear();
      for (const s of data) if (s && typeof s.name === 'string' && typeof s.node === 'string') streams.set(streamKey(s), s);
      seq = Number.isInteger(messageSeq) ? messageSeq : null;
      awaitingFull = false;
      return { all: true, keys: null, orderFields: null };
    },

    /**
     * A delta: null when it cannot be applied (a gap in seq, or a full list is awaited), and the
     * caller must resync; otherwise the keys that changed and the fields that changed among them.
     */
    applyDelta(message) {
      if (awaitingFull) return null;
      if (seq !== null && Number.isInteger(message.seq) && message.seq <= seq) return { all: false, keys: new Set(), orderFields: new Set() }; // already in the full list
      if (seq === null || message.seq !== seq + 1) {
        awaitingFull = true;
        return null;
      }
      seq = message.seq;
      const keys = new Set();
      const fields = new Set();
      let membership = false;
      for (const s of message.added ?? []) {
        const k = streamKey(s);
        streams.set(k, s);
        keys.add(k);
        membership = true;
      }
      for (const change of message.changed ?? []) {
        const k = streamKey(change);
        const before = streams.get(k);
        if (!before) continue;
        streams.set(k, { ...before, ...change });
        keys.add(k);
        for (const f in change) if (f !== 'node' && f !== 'name') fields.add(f);
      }
      for (const ref of message.removed ?? []) {
        const k = streamKey(ref);
        if (streams.delete(k)) {
          keys.add(k);
          membership = true;
        }
      }
      return { all: membership, keys, orderFields: fields };
    },

    /** After a resync request: deltas are ignored until the next full list. */
    expectFull() {
      awaitingFull = true;
    },
  };
}

/** True when a change of these fields can change the order or the filtered set under `sortFields`. */
export function affectsOrder(fields, sortFields) {
  for (const f of ORDER_FIELDS) if (fields.has(f)) return true;
  for (const f of sortFields) if (fields.has(f)) return true;
  return false;
}
