import type { RawConn } from '@mmon/shared';

/**
 * Typed reads of raw MediaMTX values. Anything of the wrong type counts as absent, so a malformed
 * or older answer never throws; callers pick the fallback with `??` (never `||`: zeros stay zeros).
 */

/** A finite number, or undefined. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A non-empty string, or null. */
export function asText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A boolean, or null. */
export function asFlag(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function num(raw: RawConn | undefined, key: string): number | undefined {
  return asNumber(raw?.[key]);
}

export function text(raw: RawConn | undefined, key: string): string | null {
  return asText(raw?.[key]);
}

export function flag(raw: RawConn | undefined, key: string): boolean | null {
  return asFlag(raw?.[key]);
}
