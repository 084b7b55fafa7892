import type { StreamSummary } from '@mmon/shared';
import { diff, sameValue } from '../src/diff';
import { summary } from './fixtures';

const rows = (...list: StreamSummary[]) => new Map(list.map((s) => [s.name, s]));

describe('diff', () => {
  test('reports added rows whole, removed rows by node and name, and nothing for equal rows', () => {
    const prev = rows(summary('n', 'a'), summary('n', 'b'));
    const next = rows(summary('n', 'a'), summary('n', 'c'));
    expect(diff(prev, next)).toEqual({ added: [summary('n', 'c')], changed: [], removed: [{ node: 'n', name: 'b' }] });
    expect(diff(prev, rows(summary('n', 'a'), summary('n', 'b')))).toEqual({ added: [], changed: [], removed: [] });
  });

  test('a changed row carries its node, name and only the fields whose value changed, objects and arrays whole', () => {
    const prev = rows(summary('n', 'a'));
    const next = rows(
      summary('n', 'a', {
        bytesReceived: 1,
        recvRateMbps: null,
        tracks: ['H264', 'Opus'],
        video: { codec: 'H264', width: 1280, height: 1080 },
        health: { level: 'ok', reasons: [] }, // equal though a new object
        srt10s: { loss: 3, retrans: 0, drop: 0, belated: 0, undecrypt: 0 },
      }),
    );
    expect(diff(prev, next).changed).toEqual([
      {
        node: 'n',
        name: 'a',
        bytesReceived: 1,
        recvRateMbps: null,
        tracks: ['H264', 'Opus'],
        video: { codec: 'H264', width: 1280, height: 1080 },
        srt10s: { loss: 3, retrans: 0, drop: 0, belated: 0, undecrypt: 0 },
      },
    ]);
  });

  test('a field a row lost is reported as null; the inputs are left unchanged', () => {
    const old = { ...summary('n', 'a'), extra: 1 } as StreamSummary;
    const prev = rows(old);
    const next = rows(summary('n', 'a'));
    expect(diff(prev, next).changed).toEqual([{ node: 'n', name: 'a', extra: null }]);
    expect(old).toEqual({ ...summary('n', 'a'), extra: 1 });
  });

  test('sameValue compares JSON values deeply', () => {
    expect(sameValue({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue(0, '0')).toBe(false);
  });
});
