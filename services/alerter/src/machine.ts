import type { AlertEvent, AlertNotification, AlertRecord, AlertSubject, AlertTransition, NotificationJob } from '@mmon/shared';
import { label, observe, subjectText, type Inputs, type Observation } from './conditions';
import type { Rule } from './rules';

export interface MachineOptions {
  /** How long a firing alert whose subject vanished from the data stays firing. */
  goneRetentionMs: number;
  dashboardUrl: string | null;
  /** A fresh notification id. */
  newId: () => string;
}

/** seenAt is rewritten at most this often when nothing else of a record changes. */
const SEEN_REFRESH_MS = 60_000;

/**
 * One evaluation: every rule against the inputs and the stored records (JSON by id, as read),
 * giving the transitions to apply. Pure. The state machine of issue #10:
 * inactive → pending (condition true, `for` not yet reached) → firing → resolved once the
 * condition has been false for `keepFiringFor`. A pending alert whose condition ends, or whose
 * subject vanishes, goes back to inactive without a word; a firing alert whose subject vanishes
 * stays firing until it returns or goneRetentionMs has passed (then it expires without a
 * notification: it never resolved). Records of rules no longer loaded are removed.
 */
export function evaluate(rules: Rule[], stored: Map<string, string>, inputs: Inputs, nowMs: number, opts: MachineOptions): AlertTransition[] {
  const records = new Map<string, AlertRecord>();
  for (const [id, json] of stored) records.set(id, JSON.parse(json) as AlertRecord);
  const out: AlertTransition[] = [];
  const seen = new Set<string>();
  const now = new Date(nowMs).toISOString();
  for (const rule of rules) {
    const mine = new Map<string, AlertRecord>();
    const tracked = new Set<string>();
    for (const [id, r] of records) {
      if (r.rule !== rule.name) continue;
      mine.set(id, r);
      tracked.add(subjectKey(r.subject));
    }
    const observed = new Map<string, Observation>();
    for (const o of observe(rule, inputs, nowMs, (subject) => tracked.has(subjectKey(subject)))) observed.set(o.id, o);
    for (const id of new Set([...observed.keys(), ...mine.keys()])) {
      seen.add(id);
      const t = step(rule, mine.get(id) ?? null, observed.get(id) ?? null, nowMs, now, opts);
      if (t) out.push({ ...t, id, expect: stored.get(id) ?? null });
    }
  }
  for (const id of records.keys()) {
    if (!seen.has(id)) out.push({ id, expect: stored.get(id) ?? null, next: null, event: null, jobs: [], stateChanged: true });
  }
  return out;
}

function subjectKey(s: AlertSubject): string {
  return `${s.node ?? ''}\u0000${s.name ?? ''}`;
}

type Step = Omit<AlertTransition, 'id' | 'expect'>;

function step(rule: Rule, rec: AlertRecord | null, obs: Observation | null, nowMs: number, now: string, opts: MachineOptions): Step | null {
  if (rec === null) {
    if (obs === null || !obs.active) return null;
    const pending: AlertRecord = {
      id: obs.id,
      rule: rule.name,
      kind: rule.kind,
      severity: rule.severity,
      subject: obs.subject,
      state: 'pending',
      activeAt: now,
      firedAt: null,
      clearSince: null,
      seenAt: now,
      value: obs.value,
      threshold: rule.threshold,
      summary: obs.text,
      notifiedAt: null,
      lastJobs: {},
    };
    return rule.forMs === 0 ? fire(rule, pending, now, nowMs, opts, false) : { next: pending, event: null, jobs: [], stateChanged: true };
  }

  if (obs === null) {
    if (rec.state === 'pending') return removed();
    if (nowMs - Date.parse(rec.seenAt) < opts.goneRetentionMs) return null;
    return { next: null, event: event(rec, 'expired', now, false, null), jobs: [], stateChanged: true };
  }

  const current: AlertRecord = {
    ...rec,
    severity: rule.severity,
    threshold: rule.threshold,
    value: obs.value,
    seenAt: nowMs - Date.parse(rec.seenAt) >= SEEN_REFRESH_MS ? now : rec.seenAt,
  };
  if (rec.state === 'pending') {
    if (!obs.active) return removed();
    current.summary = obs.text;
    if (nowMs - Date.parse(rec.activeAt) >= rule.forMs) return fire(rule, current, now, nowMs, opts, false);
    return updated(rec, current);
  }

  if (obs.active) {
    current.summary = obs.text;
    current.clearSince = null;
    const last = rec.notifiedAt === null ? nowMs : Date.parse(rec.notifiedAt);
    if (rule.repeatEveryMs !== null && nowMs - last >= rule.repeatEveryMs) return fire(rule, current, now, nowMs, opts, true);
    return updated(rec, current);
  }
  current.clearSince = rec.clearSince ?? now;
  if (nowMs - Date.parse(current.clearSince) < rule.keepFiringForMs) return updated(rec, current);
  // Resolved: the condition ended when it was first seen false.
  const endsAt = current.clearSince;
  const ev = event(current, 'resolved', now, false, endsAt);
  const note = notification(current, 'resolved', opts, endsAt, ev.summary);
  return { next: null, event: ev, jobs: jobs(rule, current, note, now, nowMs, opts), stateChanged: true };
}

function fire(rule: Rule, rec: AlertRecord, now: string, nowMs: number, opts: MachineOptions, repeat: boolean): Step {
  const firing: AlertRecord = { ...rec, state: 'firing', firedAt: rec.firedAt ?? now, notifiedAt: now, clearSince: null };
  const note = notification(firing, 'firing', opts, null, summaryLine(firing, 'firing', null));
  const queued = jobs(rule, firing, note, now, nowMs, opts);
  firing.lastJobs = { ...firing.lastJobs, ...Object.fromEntries(queued.map(({ job }) => [job.notifier, job.id])) };
  return { next: firing, event: event(firing, 'firing', now, repeat, null), jobs: queued, stateChanged: !repeat };
}

function removed(): Step {
  return { next: null, event: null, jobs: [], stateChanged: true };
}

/** A record rewritten only when a field that the evaluation moves has changed. */
function updated(before: AlertRecord, after: AlertRecord): Step | null {
  const same =
    before.value === after.value &&
    before.summary === after.summary &&
    before.clearSince === after.clearSince &&
    before.seenAt === after.seenAt &&
    before.severity === after.severity &&
    before.threshold === after.threshold;
  return same ? null : { next: after, event: null, jobs: [], stateChanged: false };
}

function event(rec: AlertRecord, status: AlertEvent['status'], at: string, repeat: boolean, endsAt: string | null): AlertEvent {
  return {
    at,
    status,
    repeat,
    id: rec.id,
    rule: rec.rule,
    kind: rec.kind,
    severity: rec.severity,
    subject: rec.subject,
    value: rec.value,
    threshold: rec.threshold,
    startsAt: rec.activeAt,
    endsAt,
    summary: summaryLine(rec, status, endsAt),
  };
}

/** One readable line: "CRIT rule: stream a on node n: offline since …" or "RESOLVED rule: … offline ended after 2m5s". */
export function summaryLine(rec: AlertRecord, status: AlertEvent['status'], endsAt: string | null): string {
  if (status === 'firing') return `${rec.severity.toUpperCase()} ${rec.rule}: ${rec.summary}`;
  const subject = subjectText(rec.subject);
  const what = label(rec.kind as Rule['kind'], rec.threshold);
  if (status === 'expired') return `EXPIRED ${rec.rule}: ${subject}: ${what}, no longer in the data since ${rec.seenAt}`;
  const lasted = Date.parse(endsAt ?? rec.activeAt) - Date.parse(rec.activeAt);
  return `RESOLVED ${rec.rule}: ${subject}: ${what} ended after ${formatDuration(lasted)}`;
}

/** 2h3m, 5m7s, 12s, 0.4s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms / 100) / 10)}s`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** The webhook payload of issue #10: endsAt for resolved only, subject fields only where they apply. */
function notification(rec: AlertRecord, status: 'firing' | 'resolved', opts: MachineOptions, endsAt: string | null, summary: string): AlertNotification {
  const subject: AlertNotification['subject'] = {};
  if (rec.subject.node !== undefined) subject.node = rec.subject.node;
  if (rec.subject.name !== undefined) subject.name = rec.subject.name;
  return {
    status,
    rule: rec.rule,
    kind: rec.kind,
    severity: rec.severity,
    subject,
    value: rec.value,
    threshold: rec.threshold,
    startsAt: rec.activeAt,
    ...(endsAt === null ? {} : { endsAt }),
    summary,
    dashboardUrl: opts.dashboardUrl,
  };
}

function jobs(rule: Rule, rec: AlertRecord, note: AlertNotification, now: string, nowMs: number, opts: MachineOptions): AlertTransition['jobs'] {
  return rule.notify.map((notifier) => {
    const job: NotificationJob = { id: opts.newId(), notifier, after: rec.lastJobs[notifier] ?? null, createdAt: now, attempts: 0, notification: note };
    return { job, dueMs: nowMs };
  });
}
