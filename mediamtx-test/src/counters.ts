/** Counters computed at request time: value = base + rate * seconds since set (+ optional wobble). */
import type { CounterSpec, Counters } from './scenario';

export interface CounterState {
  base: number;
  rate: number;
  wobble: number;
  periodS: number;
  /** Clock time (ms) the spec was set at. */
  since: number;
}

export type CounterMap = Map<string, CounterState>;

export function counterState(spec: CounterSpec, now: number): CounterState {
  if (typeof spec === 'number') return { base: spec, rate: 0, wobble: 0, periodS: 60, since: now };
  return { base: spec.base ?? 0, rate: spec.rate ?? 0, wobble: spec.wobble ?? 0, periodS: spec.periodS ?? 60, since: now };
}

/** Applies specs over existing counters (a later spec replaces the earlier one of the same field). */
export function applyCounters(target: CounterMap, specs: Counters | undefined, now: number): void {
  if (!specs) return;
  for (const [field, spec] of Object.entries(specs)) target.set(field, counterState(spec, now));
}

/** Counters of something created at `created` count from then, but never from a later time than now. */
export function countingSince(created: string | undefined, now: number): number {
  const t = created === undefined ? NaN : Date.parse(created);
  return Number.isNaN(t) ? now : Math.min(t, now);
}

export function counterValue(state: CounterState, now: number, float: boolean): number {
  const seconds = Math.max(0, now - state.since) / 1000;
  let value = state.base + state.rate * seconds;
  if (state.wobble !== 0) value += state.wobble * Math.sin((2 * Math.PI * seconds) / state.periodS);
  if (float) return Math.round(value * 1000) / 1000;
  return Math.max(0, Math.floor(value));
}
