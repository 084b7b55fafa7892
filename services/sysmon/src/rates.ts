import type { InterfaceCounters } from './netDev';

/** Counters read at one moment (ms since epoch). */
export interface CounterSample {
  at: number;
  counters: InterfaceCounters;
}

export interface Rates {
  inMbps: number | null;
  outMbps: number | null;
}

/**
 * Receive/transmit rates in Mbit/s summed over the interfaces of two samples. Reset-safe: an
 * interface that is new, or whose counter went down (reboot, recreated device, wrap), only sets
 * a new baseline and adds nothing, so a rate is never negative. Without a previous sample, or
 * when no time passed, the rates are null (unknown), not 0.
 */
export function counterRates(prev: CounterSample | undefined, next: CounterSample): Rates {
  const seconds = prev ? (next.at - prev.at) / 1000 : 0;
  if (!prev || seconds <= 0) return { inMbps: null, outMbps: null };
  let rx = 0;
  let tx = 0;
  for (const [name, now] of Object.entries(next.counters)) {
    const before = prev.counters[name];
    if (!before) continue;
    rx += counterDelta(before.rx, now.rx);
    tx += counterDelta(before.tx, now.tx);
  }
  return { inMbps: mbps(rx, seconds), outMbps: mbps(tx, seconds) };
}

/** Increase of a cumulative counter; 0 when it was reset. */
export function counterDelta(before: number, now: number): number {
  return now >= before ? now - before : 0;
}

function mbps(bytes: number, seconds: number): number {
  return round((bytes * 8) / seconds / 1e6, 3);
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const MB = 1024 * 1024;

/** Bytes to MiB, two decimals. */
export function toMb(bytes: number): number {
  return round(bytes / MB, 2);
}
