import { counterDelta, counterRates, toMb } from '../src/rates';

describe('counterRates', () => {
  const first = { at: 1_000, counters: { eth0: { rx: 1_000_000, tx: 500_000 } } };

  it('is null (unknown) on the first sample', () => {
    expect(counterRates(undefined, first)).toEqual({ inMbps: null, outMbps: null });
  });

  it('turns byte deltas into Mbit/s over the elapsed time', () => {
    // 2.5 MB in, 1.25 MB out in 2 s = 10 / 5 Mbit/s
    const next = { at: 3_000, counters: { eth0: { rx: 3_500_000, tx: 1_750_000 } } };
    expect(counterRates(first, next)).toEqual({ inMbps: 10, outMbps: 5 });
  });

  it('sums several interfaces', () => {
    const prev = { at: 0, counters: { eth0: { rx: 0, tx: 0 }, eth1: { rx: 0, tx: 0 } } };
    const next = { at: 1_000, counters: { eth0: { rx: 125_000, tx: 0 }, eth1: { rx: 125_000, tx: 250_000 } } };
    expect(counterRates(prev, next)).toEqual({ inMbps: 2, outMbps: 2 });
  });

  it('takes a counter that went down as a new baseline, never a negative rate', () => {
    const next = { at: 2_000, counters: { eth0: { rx: 10, tx: 600_000 } } };
    expect(counterRates(first, next)).toEqual({ inMbps: 0, outMbps: 0.8 });
  });

  it('counts a new interface from its next sample on', () => {
    const next = { at: 2_000, counters: { eth0: { rx: 1_000_000, tx: 500_000 }, eth9: { rx: 9e9, tx: 9e9 } } };
    expect(counterRates(first, next)).toEqual({ inMbps: 0, outMbps: 0 });
    const after = { at: 3_000, counters: { eth0: { rx: 1_000_000, tx: 500_000 }, eth9: { rx: 9e9 + 125_000, tx: 9e9 } } };
    expect(counterRates(next, after)).toEqual({ inMbps: 1, outMbps: 0 });
  });

  it('ignores an interface that vanished', () => {
    const next = { at: 2_000, counters: {} };
    expect(counterRates(first, next)).toEqual({ inMbps: 0, outMbps: 0 });
  });

  it('is null when no time passed or the clock went back', () => {
    expect(counterRates(first, { ...first })).toEqual({ inMbps: null, outMbps: null });
    expect(counterRates(first, { at: 500, counters: first.counters })).toEqual({ inMbps: null, outMbps: null });
  });
});

describe('helpers', () => {
  it('counterDelta is the increase or 0 after a reset', () => {
    expect(counterDelta(5, 9)).toBe(4);
    expect(counterDelta(9, 5)).toBe(0);
  });

  it('toMb converts bytes to MiB with two decimals', () => {
    expect(toMb(1024 * 1024 * 1.5)).toBe(1.5);
    expect(toMb(1000)).toBe(0);
  });
});
