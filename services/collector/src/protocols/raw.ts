import { wellFormed } from '@mmon/shared';

/**
 * Typed reads of raw MediaMTX values. Each item (a path, a connection) is checked on its own and
 * field by field: a value of the wrong type or out of range reads as absent, so one wrong field
 * never costs the item, and one wrong item never costs the poll. Callers pick the fallback with
 * `??` (never `||`: zeros stay zeros).
 */

/** No rate or capacity above this (Mbit/s) is served: 1 Pbit/s is no measurement. */
export const MAX_MBPS = 1_000_000;
/** MediaMTX's counters are uint64. */
export const MAX_COUNTER = 2 ** 64;
/** RTT, latency, jitter: a value above an hour (in ms) is no measurement. */
export const MAX_MS = 3_600_000;

/** What normalize counts per poll: items left out for lack of an identity, items with a field read as absent. */
export interface ItemAudit {
  skipped: number;
  repaired: number;
}

/** A finite number, or undefined. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The longest text believed (a name, user agent, address, codec): longer is no value MediaMTX sends, and would be served to every client. */
export const MAX_TEXT = 1024;

/** A non-empty string of at most MAX_TEXT characters as valid Unicode (lone surrogates become U+FFFD), or null. */
export function asText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT ? wellFormed(value) : null;
}

/** A boolean, or null. */
export function asFlag(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Per normalized stream or connection: the counters MediaMTX did not give validly this poll. */
const unknownByObject = new WeakMap<object, readonly string[]>();

/**
 * The counters (model field names, e.g. bytesIn, packetsReceivedLoss) of a normalized stream or
 * connection that were missing or wrong this poll, so served as 0: derive takes no reading of
 * them (0 is no reading, and a counter "going" from 0 back to its value is no growth).
 */
export function unknownCounters(obj: object): readonly string[] | undefined {
  return unknownByObject.get(obj);
}

/** A counter's value as derive reads it: NaN (no reading) when it is among the unknown ones. */
export function reading(value: number, field: string, unknown: readonly string[] | undefined): number {
  return unknown !== undefined && unknown.includes(field) ? NaN : value;
}

/**
 * The fields of one raw item, read typed. `repaired` turns true when a field was present with a
 * wrong type or an impossible value (and so read as absent): the collector counts such items.
 * Absent and null fields are what older releases and unknown values look like, not repairs; nor
 * is -1, MediaMTX's "unlimited" or "not known", which reads as null.
 */
export class Fields {
  repaired = false;
  /** Model names of the counters read with counterOf that had no valid value. */
  private unknown: string[] | null = null;
  private readonly raw: Readonly<Record<string, unknown>> | undefined;

  constructor(raw: object | undefined) {
    this.raw = raw as Readonly<Record<string, unknown>> | undefined;
  }

  /** An array (its elements unchecked), or null. */
  list(key: string): readonly unknown[] | null {
    const value = this.raw?.[key];
    return Array.isArray(value) ? value : this.wrong(value, null);
  }

  /** An object that is not an array (its fields unchecked), or null. */
  object(key: string): Readonly<Record<string, unknown>> | null {
    const value = this.raw?.[key];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : this.wrong(value, null);
  }

  text(key: string): string | null {
    const value = this.raw?.[key];
    if (typeof value === 'string' && value.length <= MAX_TEXT) return value === '' ? null : wellFormed(value);
    return this.wrong(value, null);
  }

  flag(key: string): boolean | null {
    const value = this.raw?.[key];
    return typeof value === 'boolean' ? value : this.wrong(value, null);
  }

  /** A cumulative counter (MediaMTX's are uint64): a whole number from 0 to 2^64, or undefined. */
  counter(key: string): number | undefined {
    const value = this.raw?.[key];
    if (typeof value === 'number' && value >= 0 && value <= MAX_COUNTER && Number.isInteger(value)) return value;
    if (value !== undefined && value !== null) this.repaired = true;
    return undefined;
  }

  /**
   * The counter `field` from `key` (its current name) or else `deprecated` (its older name),
   * whichever holds a valid value first; else 0, and `field` is noted as unknown (see markUnknown).
   */
  counterOf(field: string, key: string, deprecated?: string): number {
    const value = this.counter(key) ?? (deprecated === undefined ? undefined : this.counter(deprecated));
    if (value !== undefined) return value;
    if (this.raw !== undefined) (this.unknown ??= []).push(field);
    return 0;
  }

  /** Records the counters that counterOf found unknown for `target`, the object made of this item (see unknownCounters). */
  markUnknown(target: object): void {
    if (this.unknown !== null) unknownByObject.set(target, this.unknown);
  }

  /** A rate or capacity in Mbit/s from 0 to MAX_MBPS, or null. */
  mbps(key: string): number | null {
    return this.measure(key, MAX_MBPS);
  }

  /** A duration in ms (RTT, latency) or a jitter, from 0 to MAX_MS, or null. */
  ms(key: string): number | null {
    return this.measure(key, MAX_MS);
  }

  private measure(key: string, max: number): number | null {
    const value = this.raw?.[key];
    if (typeof value === 'number' && value >= 0 && value <= max) return value;
    return value === -1 ? null : this.wrong(value, null);
  }

  private wrong<T>(value: unknown, absent: T): T {
    if (value !== undefined && value !== null) this.repaired = true;
    return absent;
  }
}
