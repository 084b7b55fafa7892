import type { AlertRecord, AlertTransition, CollectorStatus } from '@mmon/shared';
import { collectorStatus } from '@mmon/test-support';
import { observe, type HostSample, type Inputs } from '../src/conditions';
import { evaluate, formatDuration } from '../src/machine';
import { compileRuleSet, type Rule } from '../src/rules';
import { offline, summary } from './support';

function rules(yaml: object): Rule[] {
  return compileRuleSet(yaml, 'test.yaml', {}, (m) => {
    throw new Error(m);
  }).rules;
}

/** Applies transitions to an in-memory store, as AlertStore.apply does to Redis (no replica races here). */
class Memory {
  readonly stored = new Map<string, string>();
  readonly events: AlertTransition['event'][] = [];
  readonly notes: { notifier: string; status: string; after: string | null; id: string }[] = [];
  ids = 0;

  run(ruleList: Rule[], inputs: Inputs, nowMs: number, goneRetentionMs = 60_000): AlertTransition[] {
    const ts = evaluate(ruleList, this.stored, inputs, nowMs, { goneRetentionMs, dashboardUrl: 'http://dash/', newId: () => `job${++this.ids}` });
    for (const t of ts) {
      if (t.next) this.stored.set(t.id, JSON.stringify(t.next));
      else this.stored.delete(t.id);
      if (t.event) this.events.push(t.event);
      for (const { job } of t.jobs) this.notes.push({ notifier: job.notifier, status: job.notification.status, after: job.after, id: job.id });
    }
    return ts;
  }

  records(): AlertRecord[] {
    return [...this.stored.values()].map((v) => JSON.parse(v) as AlertRecord);
  }
}

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const streams = (...s: ReturnType<typeof summary>[]): Inputs => ({ streams: s, statuses: [], host: null });

describe('alert state machine', () => {
  const offlineRule = rules({
    rules: [{ name: 'off', kind: 'stream.offline', match: { name: 'live/*' }, for: '10s', keepFiringFor: '5s', severity: 'crit', notify: ['a', 'b'] }],
    notifiers: [
      { name: 'a', type: 'webhook', url: 'http://127.0.0.1:1/a' },
      { name: 'b', type: 'slack', url: 'http://127.0.0.1:1/b' },
    ],
  });

  it('pending until `for`, firing once, resolved after keepFiringFor, once each and in order per notifier', () => {
    const m = new Memory();
    const down = offline('n', 'live/a', new Date(T0 + 1000).toISOString());
    m.run(offlineRule, streams(summary('n', 'live/a')), T0);
    expect(m.records()).toEqual([]);
    m.run(offlineRule, streams(down, offline('n', 'vod/x')), T0 + 1000);
    expect(m.records()).toMatchObject([{ state: 'pending', subject: { node: 'n', name: 'live/a' }, activeAt: new Date(T0 + 1000).toISOString() }]);
    m.run(offlineRule, streams(down), T0 + 10_999);
    expect(m.records()[0].state).toBe('pending');
    expect(m.notes).toEqual([]);
    m.run(offlineRule, streams(down), T0 + 11_000);
    expect(m.records()[0]).toMatchObject({ state: 'firing', firedAt: new Date(T0 + 11_000).toISOString() });
    expect(m.notes).toEqual([
      { notifier: 'a', status: 'firing', after: null, id: 'job1' },
      { notifier: 'b', status: 'firing', after: null, id: 'job2' },
    ]);
    for (let t = 12_000; t < 20_000; t += 1000) m.run(offlineRule, streams(down), T0 + t);
    expect(m.notes).toHaveLength(2);

    // Back online: still firing for keepFiringFor, and a relapse in that time keeps it firing.
    m.run(offlineRule, streams(summary('n', 'live/a')), T0 + 20_000);
    expect(m.records()[0]).toMatchObject({ state: 'firing', clearSince: new Date(T0 + 20_000).toISOString() });
    m.run(offlineRule, streams(down), T0 + 22_000);
    expect(m.records()[0].clearSince).toBeNull();
    m.run(offlineRule, streams(summary('n', 'live/a')), T0 + 23_000);
    m.run(offlineRule, streams(summary('n', 'live/a')), T0 + 27_999);
    expect(m.records()).toHaveLength(1);
    m.run(offlineRule, streams(summary('n', 'live/a')), T0 + 28_000);
    expect(m.records()).toEqual([]);
    expect(m.notes.slice(2)).toEqual([
      { notifier: 'a', status: 'resolved', after: 'job1', id: 'job3' },
      { notifier: 'b', status: 'resolved', after: 'job2', id: 'job4' },
    ]);
    expect(m.events.map((e) => [e?.status, e?.startsAt, e?.endsAt, e?.summary])).toEqual([
      ['firing', new Date(T0 + 1000).toISOString(), null, `CRIT off: stream live/a on node n: offline since ${new Date(T0 + 1000).toISOString()}`],
      ['resolved', new Date(T0 + 1000).toISOString(), new Date(T0 + 23_000).toISOString(), 'RESOLVED off: stream live/a on node n: offline ended after 22s'],
    ]);
  });

  it('a condition that flaps faster than `for` sends nothing', () => {
    const m = new Memory();
    for (let i = 0; i < 20; i++) {
      const down = i % 2 === 0;
      m.run(offlineRule, streams(down ? offline('n', 'live/a') : summary('n', 'live/a')), T0 + i * 6000);
    }
    expect(m.notes).toEqual([]);
    expect(m.events).toEqual([]);
  });

  it('repeatEvery re-notifies while firing; a stream that was never online is not offline', () => {
    const [rule] = rules({ rules: [{ name: 'off', kind: 'stream.offline', repeatEvery: '1m', notify: ['a'] }], notifiers: [{ name: 'a', type: 'ntfy', url: 'http://h/t' }] });
    const m = new Memory();
    m.run([rule], streams(offline('n', 'x'), summary('n', 'never', { online: false, offlineSince: null })), T0);
    expect(m.notes.map((n) => n.status)).toEqual(['firing']);
    m.run([rule], streams(offline('n', 'x')), T0 + 59_000);
    m.run([rule], streams(offline('n', 'x')), T0 + 60_000);
    m.run([rule], streams(offline('n', 'x')), T0 + 61_000);
    expect(m.notes).toEqual([
      { notifier: 'a', status: 'firing', after: null, id: 'job1' },
      { notifier: 'a', status: 'firing', after: 'job1', id: 'job2' },
    ]);
    expect(m.events.map((e) => [e?.status, e?.repeat])).toEqual([
      ['firing', false],
      ['firing', true],
    ]);
  });

  it('a firing alert whose stream vanished stays firing until it ages out; a pending one is dropped', () => {
    const m = new Memory();
    const [rule, slow] = rules({ rules: [{ name: 'off', kind: 'stream.offline' }, { name: 'slow', kind: 'stream.offline', for: '1h' }] });
    m.run([rule, slow], streams(offline('n', 'x')), T0);
    expect(m.records().map((r) => [r.rule, r.state]).sort()).toEqual([
      ['off', 'firing'],
      ['slow', 'pending'],
    ]);
    m.run([rule, slow], streams(), T0 + 1000);
    expect(m.records().map((r) => [r.rule, r.state])).toEqual([['off', 'firing']]);
    m.run([rule, slow], streams(), T0 + 59_999, 60_000);
    expect(m.records()).toHaveLength(1);
    m.run([rule, slow], streams(), T0 + 60_000, 60_000);
    expect(m.records()).toEqual([]);
    expect(m.events.map((e) => e?.status)).toEqual(['firing', 'expired']);
  });

  it('records of a rule no longer loaded are removed without a notification', () => {
    const m = new Memory();
    m.run(rules({ rules: [{ name: 'gone', kind: 'stream.offline' }] }), streams(offline('n', 'x')), T0);
    expect(m.records()).toHaveLength(1);
    const ts = m.run(rules({ rules: [{ name: 'other', kind: 'node.stale' }] }), streams(offline('n', 'x')), T0 + 1000);
    expect(ts).toMatchObject([{ next: null, event: null, jobs: [], stateChanged: true }]);
    expect(m.records()).toEqual([]);
  });

  it('writes a firing record again only when something shown changed', () => {
    const m = new Memory();
    const r = rules({ rules: [{ name: 'many', kind: 'stream.readers.above', threshold: 10 }] });
    m.run(r, streams(summary('n', 'x', { readers: 11 })), T0);
    expect(m.run(r, streams(summary('n', 'x', { readers: 11 })), T0 + 1000)).toEqual([]);
    expect(m.run(r, streams(summary('n', 'x', { readers: 12 })), T0 + 2000)).toMatchObject([{ stateChanged: false, next: { value: 12 } }]);
  });

  it('formats durations', () => {
    expect([400, 22_000, 125_000, 7_380_000].map(formatDuration)).toEqual(['0.4s', '22s', '2m5s', '2h3m']);
  });
});

describe('rule kinds', () => {
  const now = T0;
  const host: HostSample = {
    hostname: 'mon-1',
    cpu_percent: 91.234,
    ram_used_mb: 950,
    ram_total_mb: 1000,
    temperature_c: 70,
    disks: [
      { mount: '/', percent: 40 },
      { mount: '/data', percent: 93 },
    ],
    sampledAt: new Date(now).toISOString(),
    intervalMs: 5000,
  };
  const statuses: CollectorStatus[] = [
    collectorStatus('fresh', { lastSuccessAt: new Date(now - 1000).toISOString() }),
    collectorStatus('late', { lastSuccessAt: new Date(now - 4000).toISOString(), intervalMs: 1000 }),
    collectorStatus('failing', { stale: true, lastSuccessAt: null }),
  ];
  const srt = summary('n', 'srt', { readers: 3, rtt: 250, recvRateMbps: 0.5, srt10s: { loss: 12, retrans: 0, drop: 4, belated: 0, undecrypt: 0 } });
  const down = offline('n', 'down', '2026-12-01T09:59:00.000Z');
  const inputs: Inputs = { streams: [srt, down], statuses, host };

  test.each([
    ['stream.readers.above', 2, [['n/srt', true, 3, 'stream srt on node n: readers 3 (above 2)']]],
    ['stream.readers.below', 5, [['n/srt', true, 3, 'stream srt on node n: readers 3 (below 5)']]],
    ['stream.recvRate.below', 1, [['n/srt', true, 0.5, 'stream srt on node n: receiving 0.5 Mbit/s (below 1)']]],
    ['stream.srt.rtt.above', 200, [['n/srt', true, 250, 'stream srt on node n: SRT RTT 250 ms (above 200)']]],
    ['stream.srt.loss.above', 10, [['n/srt', true, 12, 'stream srt on node n: SRT loss 12 packets in 10 s (above 10)']]],
    ['stream.srt.drop.above', 4, [['n/srt', false, 4, 'stream srt on node n: SRT drop 4 packets in 10 s (above 4)']]],
    ['stream.health.crit', undefined, [['n/down', true, null, 'stream down on node n: health crit: offline']]],
    ['stream.offline', undefined, [['n/down', true, null, 'stream down on node n: offline since 2026-12-01T09:59:00.000Z']]],
    ['host.cpu.above', 90, [['host', true, 91.23, 'host mon-1: CPU 91.23 % (above 90 %)']]],
    ['host.ram.above', 95, [['host', false, 95, 'host mon-1: RAM 95 % used (above 95 %)']]],
    ['host.disk.above', 90, [['host', true, 93, 'host mon-1: disk /data 93 % used (above 90 %)']]],
    ['host.temperature.above', 65, [['host', true, 70, 'host mon-1: temperature 70 °C (above 65 °C)']]],
  ])('%s (threshold %s)', (kind, threshold, expected) => {
    const [rule] = rules({ rules: [{ name: 'r', kind, ...(threshold === undefined ? {} : { threshold }) }] });
    const got = observe(rule, inputs, now).map((o) => [o.subject.name ? `${o.subject.node}/${o.subject.name}` : 'host', o.active, o.value, o.text]);
    // The other stream never meets the condition (online-only kinds and the offline one; yes/no kinds and the online one).
    const other = kind === 'stream.offline' || kind === 'stream.health.crit' ? 'n/srt' : 'n/down';
    expect(got.filter((g) => g[0] === other && g[1])).toEqual([]);
    expect(got.filter((g) => g[0] !== other)).toEqual(expected);
  });

  it('node.stale: a failed poll or a last success older than three intervals', () => {
    const [rule] = rules({ rules: [{ name: 'r', kind: 'node.stale' }] });
    expect(observe(rule, inputs, now).map((o) => [o.subject.node, o.active, o.value])).toEqual([
      ['fresh', false, 1],
      ['late', true, 4],
      ['failing', true, null],
    ]);
  });

  it('host rules see nothing without a fresh sample', () => {
    const [rule] = rules({ rules: [{ name: 'r', kind: 'host.cpu.above', threshold: 1 }] });
    expect(observe(rule, { ...inputs, host: null }, now)).toEqual([]);
  });
});
