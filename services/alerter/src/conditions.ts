import { alertId, isStale, type AlertSubject, type CollectorStatus, type StreamSummary } from '@mmon/shared';
import type { Kind, Rule } from './rules';

/** The fields of sysmon's mediamtx:system:latest that host rules read (services/sysmon/src/types.ts). */
export interface HostSample {
  hostname?: string;
  cpu_percent: number;
  ram_used_mb: number;
  ram_total_mb: number;
  temperature_c: number | null;
  disks?: { mount: string; percent: number }[];
  sampledAt: string;
  intervalMs: number;
}

/** What the alerter evaluates: summaries (never detail), the collectors' statuses, a fresh host sample. */
export interface Inputs {
  streams: Iterable<StreamSummary>;
  statuses: CollectorStatus[];
  /** Null when sysmon wrote none or its sample is older than three intervals. */
  host: HostSample | null;
}

/** One subject's condition as a rule sees it now. */
export interface Observation {
  id: string;
  subject: AlertSubject;
  active: boolean;
  value: number | null;
  /** The subject and its situation, e.g. "stream live/a on node eu: 12 readers (above 10)". */
  text: string;
}

/** What a kind means in a resolved message: "offline ended", "readers above 10 ended". */
export function label(kind: Kind, threshold: number | null): string {
  const t = threshold === null ? '' : ` ${round(threshold)}`;
  switch (kind) {
    case 'stream.offline':
      return 'offline';
    case 'stream.readers.above':
      return `readers above${t}`;
    case 'stream.readers.below':
      return `readers below${t}`;
    case 'stream.recvRate.below':
      return `receive rate below${t} Mbit/s`;
    case 'stream.srt.rtt.above':
      return `SRT RTT above${t} ms`;
    case 'stream.srt.loss.above':
      return `SRT loss above${t} packets in 10 s`;
    case 'stream.srt.drop.above':
      return `SRT drop above${t} packets in 10 s`;
    case 'stream.health.crit':
      return 'health crit';
    case 'node.stale':
      return 'stale';
    case 'host.cpu.above':
      return `CPU above${t} %`;
    case 'host.ram.above':
      return `RAM above${t} % used`;
    case 'host.disk.above':
      return `disk above${t} % used`;
    case 'host.temperature.above':
      return `temperature above${t} °C`;
  }
}

/** "stream live/a on node eu", "node eu", "host". */
export function subjectText(subject: AlertSubject): string {
  if (subject.name !== undefined) return `stream ${subject.name} on node ${subject.node}`;
  if (subject.node !== undefined) return `node ${subject.node}`;
  return 'host';
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * The rule's subjects in the inputs with their condition now: every subject whose condition is
 * true, and those whose is false only when `tracked` (they have an alert to move on), so that the
 * common case, thousands of healthy streams, costs no text and no object. Pure.
 */
export function observe(rule: Rule, inputs: Inputs, nowMs: number, tracked: (subject: AlertSubject) => boolean = () => true): Observation[] {
  const out: Observation[] = [];
  const t = rule.threshold ?? 0;
  const add = (subject: AlertSubject, c: Condition, prefix = subjectText(subject)) => {
    if (c.active || tracked(subject)) out.push({ id: alertId(rule.name, subject), subject, active: c.active, value: c.value, text: `${prefix}: ${c.text()}` });
  };
  if (rule.kind.startsWith('stream.')) {
    for (const s of inputs.streams) {
      if (rule.matchNode.test(s.node) && rule.matchName.test(s.name)) add({ node: s.node, name: s.name }, streamCondition(rule.kind, s, t));
    }
  } else if (rule.kind === 'node.stale') {
    for (const st of inputs.statuses) {
      if (!rule.matchNode.test(st.node)) continue;
      const age = st.lastSuccessAt === null ? null : Math.max(0, Math.round((nowMs - Date.parse(st.lastSuccessAt)) / 1000));
      const text = () => (age === null ? 'stale, never polled successfully' : `stale, last successful poll ${age} s ago`);
      add({ node: st.node }, { active: isStale(st, nowMs), value: age, text });
    }
  } else if (inputs.host !== null) {
    const c = hostCondition(rule.kind, inputs.host, t);
    if (c !== null) add({}, c, inputs.host.hostname ? `host ${inputs.host.hostname}` : 'host');
  }
  return out;
}

/** A condition; its text is made only for the subjects reported. */
type Condition = { active: boolean; value: number | null; text: () => string };

function streamCondition(kind: Kind, s: StreamSummary, t: number): Condition {
  const above = (v: number | null | undefined, what: string, unit: string): Condition =>
    v === null || v === undefined
      ? { active: false, value: null, text: () => `${what} unknown` }
      : { active: s.online && v > t, value: round(v), text: () => `${what} ${round(v)}${unit} (above ${round(t)})` };
  const below = (v: number | null, what: string, unit: string): Condition =>
    v === null
      ? { active: false, value: null, text: () => `${what} unknown` }
      : { active: s.online && v < t, value: round(v), text: () => `${what} ${round(v)}${unit} (below ${round(t)})` };
  switch (kind) {
    case 'stream.offline':
      return { active: !s.online && s.offlineSince !== null, value: null, text: () => (s.online ? 'online' : `offline since ${s.offlineSince ?? 'unknown'}`) };
    case 'stream.readers.above':
      return above(s.readers, 'readers', '');
    case 'stream.readers.below':
      return below(s.readers, 'readers', '');
    case 'stream.recvRate.below':
      return below(s.recvRateMbps, 'receiving', ' Mbit/s');
    case 'stream.srt.rtt.above':
      return above(s.rtt, 'SRT RTT', ' ms');
    case 'stream.srt.loss.above':
      return above(s.srt10s?.loss, 'SRT loss', ' packets in 10 s');
    case 'stream.srt.drop.above':
      return above(s.srt10s?.drop, 'SRT drop', ' packets in 10 s');
    case 'stream.health.crit':
      return {
        active: s.health.level === 'crit',
        value: null,
        text: () => `health ${s.health.level}${s.health.reasons.length > 0 ? `: ${s.health.reasons.join('; ')}` : ''}`,
      };
    default:
      throw new Error(`${kind} is not a stream kind`);
  }
}

function hostCondition(kind: Kind, h: HostSample, t: number): Condition | null {
  const percent = (v: number, text: string): Condition => ({ active: v > t, value: round(v), text: () => `${text} (above ${round(t)} %)` });
  switch (kind) {
    case 'host.cpu.above':
      return percent(h.cpu_percent, `CPU ${round(h.cpu_percent)} %`);
    case 'host.ram.above': {
      if (!(h.ram_total_mb > 0)) return null;
      const used = (100 * h.ram_used_mb) / h.ram_total_mb;
      return percent(used, `RAM ${round(used)} % used`);
    }
    case 'host.disk.above': {
      const disks = h.disks ?? [];
      if (disks.length === 0) return null;
      const worst = disks.reduce((a, b) => (b.percent > a.percent ? b : a));
      return percent(worst.percent, `disk ${worst.mount} ${round(worst.percent)} % used`);
    }
    case 'host.temperature.above': {
      const c = h.temperature_c;
      if (c === null) return null;
      return { active: c > t, value: round(c), text: () => `temperature ${round(c)} °C (above ${round(t)} °C)` };
    }
    default:
      throw new Error(`${kind} is not a host kind`);
  }
}
