import type Redis from 'ioredis';
import { keys } from './keys';

/**
 * The alerter's state in Redis (issue #10), shared by every alerter replica and read by the api.
 * The alerter is the only writer; every command on the alert keys is here, and each script gets
 * every key through KEYS.
 */

export type AlertSeverity = 'info' | 'warn' | 'crit';
export type AlertState = 'pending' | 'firing';

/** What an alert is about: a stream (node and name), a node (node), or the host (neither). */
export interface AlertSubject {
  node?: string;
  name?: string;
}

/** A pending or firing alert: one per rule and subject. An inactive alert has no record. */
export interface AlertRecord {
  /** JSON [rule, node or null, name or null]: unique per rule and subject. */
  id: string;
  rule: string;
  kind: string;
  severity: AlertSeverity;
  subject: AlertSubject;
  state: AlertState;
  /** When the condition became true (ISO). */
  activeAt: string;
  /** When the alert started firing (ISO); null while pending. */
  firedAt: string | null;
  /** While firing: since when the condition has been false (keepFiringFor runs from here); else null. */
  clearSince: string | null;
  /** The last evaluation that found the subject in the data (a vanished subject's firing alert ages out from here). */
  seenAt: string;
  /** The rule's figure for the subject (readers, Mbit/s, ms, packets, percent, °C, seconds); null for yes/no kinds. */
  value: number | null;
  threshold: number | null;
  /** One readable line. */
  summary: string;
  /** When the last firing notification was issued (repeatEvery counts from here); null while pending. */
  notifiedAt: string | null;
  /** The last notification issued per notifier, so a later one (resolved) is delivered only after it. */
  lastJobs: Record<string, string>;
}

/** A state change kept in the history: a firing (first or repeated), a resolve, or a firing alert whose subject aged out. */
export interface AlertEvent {
  at: string;
  status: 'firing' | 'resolved' | 'expired';
  /** A re-notification of a firing alert (repeatEvery). */
  repeat: boolean;
  id: string;
  rule: string;
  kind: string;
  severity: AlertSeverity;
  subject: AlertSubject;
  value: number | null;
  threshold: number | null;
  startsAt: string;
  endsAt: string | null;
  summary: string;
}

/** The webhook payload of issue #10; the other notifier types are rendered from it. */
export interface AlertNotification {
  status: 'firing' | 'resolved';
  rule: string;
  kind: string;
  severity: AlertSeverity;
  subject: AlertSubject;
  value: number | null;
  threshold: number | null;
  startsAt: string;
  /** Resolved only. */
  endsAt?: string;
  summary: string;
  dashboardUrl: string | null;
}

/** One notification to one notifier, waiting in the outbox until delivered or given up. */
export interface NotificationJob {
  id: string;
  notifier: string;
  /** A notification of the same alert to the same notifier that must be finished first. */
  after: string | null;
  createdAt: string;
  /** Failed attempts so far. */
  attempts: number;
  notification: AlertNotification;
}

/**
 * One alert's change, applied only when the stored record is still `expect` (compare and set),
 * so that of two replicas evaluating the same data only one moves an alert and issues its
 * notifications.
 */
export interface AlertTransition {
  id: string;
  /** The record's JSON as read before the change; null when there was none. */
  expect: string | null;
  /** The new record; null removes it (inactive). */
  next: AlertRecord | null;
  event: AlertEvent | null;
  jobs: { job: NotificationJob; dueMs: number }[];
  /** A change of state (not only of value): announced on the updates channel. */
  stateChanged: boolean;
}

/** A rule as the alerter loaded it (durations in ms), for GET /api/alerts/rules. */
export interface StoredRule {
  name: string;
  kind: string;
  /** Globs over node id and stream name ("*" any run of characters, "?" one). */
  match: { node: string; name: string };
  threshold: number | null;
  forMs: number;
  keepFiringForMs: number;
  repeatEveryMs: number | null;
  severity: AlertSeverity;
  notify: string[];
}

/** What the alerter loaded, without notifier URLs (they carry secrets). */
export interface StoredRules {
  loadedAt: string;
  /** The rules file; null for the built-in defaults. */
  source: string | null;
  rules: StoredRule[];
  notifiers: { name: string; type: string }[];
}

/** One notifier's delivery figures, counted over every alerter replica. */
export interface NotifierStatus {
  name: string;
  type: string;
  sent: number;
  failed: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
}

/** How a claimed notification ended. */
export type JobOutcome =
  | { kind: 'sent'; at: string }
  | { kind: 'retry'; at: string; error: string; dueMs: number; job: NotificationJob }
  | { kind: 'dropped'; at: string; error: string };

/**
 * Applies transitions whose record is unchanged; for each, the record is set or removed, the
 * event pushed to the history (trimmed), the notifications put in the outbox (and each noted as
 * waiting for its predecessor, while that one is unfinished); one message on the
 * updates channel when a state changed. Answers the (0-based) indexes of those applied.
 * KEYS: state, history, outbox, jobs, waiting. ARGV: history max, channel, message, then per transition:
 * id, expect ("-" none, else "=" .. JSON), next ("" removes), event ("" none), state changed
 * ("1"/"0"), job count k, then k times job id, job JSON, due ms, predecessor id ("" none).
 */
const APPLY = `
local state, history, outbox, jobs, waiting = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local max = tonumber(ARGV[1])
local applied, changed, i, index = {}, false, 4, 0
while i <= #ARGV do
  local id, expect, nextJson, event, stateChanged, k = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5])
  local current = redis.call('HGET', state, id)
  local same
  if expect == '-' then same = not current else same = current and ('=' .. current) == expect end
  if same then
    applied[#applied + 1] = index
    if nextJson == '' then redis.call('HDEL', state, id) else redis.call('HSET', state, id, nextJson) end
    if event ~= '' then
      redis.call('LPUSH', history, event)
      redis.call('LTRIM', history, 0, max - 1)
    end
    for j = 0, k - 1 do
      local b = i + 6 + 4 * j
      redis.call('HSET', jobs, ARGV[b], ARGV[b + 1])
      redis.call('ZADD', outbox, ARGV[b + 2], ARGV[b])
      if ARGV[b + 3] ~= '' and redis.call('HEXISTS', jobs, ARGV[b + 3]) == 1 then redis.call('HSET', waiting, ARGV[b + 3], ARGV[b]) end
    end
    if stateChanged == '1' then changed = true end
  end
  i = i + 6 + 4 * k
  index = index + 1
end
if changed then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return applied
`;

/**
 * Claims up to ARGV[3] deliveries of due notifications whose predecessor (job.after) is finished:
 * each is pushed to the lease's end and marked with the claimer's token; one whose predecessor is
 * still waiting or under way is made due with it. A delivery is one notification, or, for the
 * notifiers named from ARGV[6] on (chat notifiers), up to ARGV[5] of that notifier's due
 * notifications sent as one message: jobs of the same notifier join its open delivery until it is
 * full. Answers the jobs' JSON in the order claimed.
 * KEYS: outbox, jobs, claims. ARGV: now ms, lease end ms, max deliveries, token, batch size, batchable notifiers...
 */
const CLAIM = `
local outbox, jobs, claims = KEYS[1], KEYS[2], KEYS[3]
local max, batchMax = tonumber(ARGV[3]), tonumber(ARGV[5])
local batchable = {}
for i = 6, #ARGV do batchable[ARGV[i]] = true end
local out = {}
local deliveries = 0
-- Per batchable notifier: how many jobs its open delivery holds.
local open = {}
-- Waiting ones leave the due range as they are met, so a few batches reach past any number of them.
for batch = 1, 10 do
  local due = redis.call('ZRANGEBYSCORE', outbox, '-inf', ARGV[1], 'LIMIT', 0, 200)
  local claimed = 0
  for _, id in ipairs(due) do
    local job = redis.call('HGET', jobs, id)
    if not job then
      redis.call('ZREM', outbox, id)
      redis.call('HDEL', claims, id)
    else
      local decoded = cjson.decode(job)
      local after = decoded.after
      if type(after) ~= 'string' or redis.call('HEXISTS', jobs, after) == 0 then
        local n = decoded.notifier
        local joins = open[n] ~= nil and open[n] < batchMax
        if joins or deliveries < max then
          if joins then
            open[n] = open[n] + 1
          else
            deliveries = deliveries + 1
            if batchable[n] then open[n] = 1 end
          end
          redis.call('ZADD', outbox, ARGV[2], id)
          redis.call('HSET', claims, id, ARGV[4])
          out[#out + 1] = job
          claimed = claimed + 1
        end
      else
        -- Waits for its predecessor: due with that one (FINISH makes it due at once when that one ends).
        local at = redis.call('ZSCORE', outbox, after)
        if at and tonumber(at) > tonumber(ARGV[1]) then redis.call('ZADD', outbox, at, id) end
      end
    end
  end
  if #due < 200 or (deliveries >= max and claimed == 0) then break end
end
return out
`;

/**
 * Finishes a claimed notification if the claim is still this alerter's: sent (removed, counted),
 * retry (stored with its attempts, due again later, the error kept) or dropped (removed, the error
 * kept). A notification waiting for a finished one is due at once. Answers 1, or 0 when the claim
 * was lost.
 * KEYS: outbox, jobs, claims, notifier, waiting. ARGV: id, token, outcome, at, error, due ms, job JSON, now ms.
 */
const FINISH = `
local outbox, jobs, claims, notifier, waiting = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, outcome = ARGV[1], ARGV[3]
if redis.call('HGET', claims, id) ~= ARGV[2] then return 0 end
redis.call('HDEL', claims, id)
if outcome == 'retry' then
  redis.call('HSET', jobs, id, ARGV[7])
  redis.call('ZADD', outbox, ARGV[6], id)
else
  redis.call('ZREM', outbox, id)
  redis.call('HDEL', jobs, id)
  local nxt = redis.call('HGET', waiting, id)
  if nxt then
    redis.call('HDEL', waiting, id)
    if redis.call('ZSCORE', outbox, nxt) then redis.call('ZADD', outbox, ARGV[8], nxt) end
  end
end
if outcome == 'sent' then
  redis.call('HINCRBY', notifier, 'sent', 1)
  redis.call('HSET', notifier, 'lastSuccessAt', ARGV[4])
else
  redis.call('HINCRBY', notifier, 'failed', 1)
  redis.call('HSET', notifier, 'lastError', ARGV[5], 'lastErrorAt', ARGV[4])
end
return 1
`;

/** The alert id of a rule and subject. */
export function alertId(rule: string, subject: AlertSubject): string {
  return JSON.stringify([rule, subject.node ?? null, subject.name ?? null]);
}

export class AlertStore {
  constructor(private readonly redis: Redis) {}

  /** Every pending and firing alert's record as stored (JSON), by id: the `expect` of transitions. */
  async records(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(keys.alertsState)));
  }

  /** Applies the transitions (see APPLY); answers those applied (the others found their record changed). */
  async apply(transitions: AlertTransition[], historyMax: number, at: string): Promise<AlertTransition[]> {
    if (transitions.length === 0) return [];
    const args: (string | number)[] = [historyMax, keys.updates, JSON.stringify({ kind: 'alerts', at })];
    for (const t of transitions) {
      args.push(
        t.id,
        t.expect === null ? '-' : `=${t.expect}`,
        t.next === null ? '' : JSON.stringify(t.next),
        t.event === null ? '' : JSON.stringify(t.event),
        t.stateChanged ? '1' : '0',
        t.jobs.length,
        ...t.jobs.flatMap(({ job, dueMs }) => [job.id, JSON.stringify(job), dueMs, job.after ?? '']),
      );
    }
    const applied = (await this.redis.eval(APPLY, 5, keys.alertsState, keys.alertsHistory, keys.alertsOutbox, keys.alertsJobs, keys.alertsWaiting, ...args)) as number[];
    return applied.map((i) => transitions[i]);
  }

  /**
   * Claims up to `max` deliveries of due notifications for `leaseMs` (see CLAIM): one notification
   * each, or up to `batch.size` of one of `batch.notifiers` (sent as one message).
   */
  async claim(nowMs: number, leaseMs: number, max: number, token: string, batch: { size: number; notifiers: readonly string[] } = { size: 1, notifiers: [] }): Promise<NotificationJob[]> {
    const args = [nowMs, nowMs + leaseMs, max, token, batch.size, ...batch.notifiers];
    const out = (await this.redis.eval(CLAIM, 3, keys.alertsOutbox, keys.alertsJobs, keys.alertsClaims, ...args)) as string[];
    return out.map((j) => JSON.parse(j) as NotificationJob);
  }

  /** Records how a claimed notification ended (see FINISH); false when another alerter holds the claim now. */
  async finish(job: NotificationJob, token: string, outcome: JobOutcome): Promise<boolean> {
    const retry = outcome.kind === 'retry' ? outcome : null;
    const done = await this.redis.eval(
      FINISH,
      5,
      keys.alertsOutbox,
      keys.alertsJobs,
      keys.alertsClaims,
      keys.alertNotifier(job.notifier),
      keys.alertsWaiting,
      job.id,
      token,
      outcome.kind,
      outcome.at,
      outcome.kind === 'sent' ? '' : outcome.error,
      retry ? retry.dueMs : 0,
      retry ? JSON.stringify(retry.job) : '',
      Date.now(),
    );
    return done === 1;
  }

  /** Notifications not yet delivered or given up. */
  async outboxSize(): Promise<number> {
    return this.redis.zcard(keys.alertsOutbox);
  }

  async saveRules(rules: StoredRules): Promise<void> {
    await this.redis.set(keys.alertsRules, JSON.stringify(rules));
  }

  /** Pending and firing alerts. */
  async alerts(): Promise<AlertRecord[]> {
    return (await this.redis.hvals(keys.alertsState)).map((v) => JSON.parse(v) as AlertRecord);
  }

  /** The last `limit` state changes, newest first. */
  async history(limit: number): Promise<AlertEvent[]> {
    return (await this.redis.lrange(keys.alertsHistory, 0, limit - 1)).map((v) => JSON.parse(v) as AlertEvent);
  }

  /** The loaded rules, or null when no alerter has started. */
  async rules(): Promise<StoredRules | null> {
    const raw = await this.redis.get(keys.alertsRules);
    return raw === null ? null : (JSON.parse(raw) as StoredRules);
  }

  /** The delivery figures of the given notifiers, in order. */
  async notifierStatuses(notifiers: { name: string; type: string }[]): Promise<NotifierStatus[]> {
    if (notifiers.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const n of notifiers) pipeline.hgetall(keys.alertNotifier(n.name));
    const res = (await pipeline.exec()) ?? [];
    return notifiers.map((n, i) => {
      const [err, value] = res[i] ?? [new Error('no answer'), null];
      if (err) throw err;
      const h = value as Record<string, string>;
      return {
        name: n.name,
        type: n.type,
        sent: Number(h.sent ?? 0),
        failed: Number(h.failed ?? 0),
        lastError: h.lastError ?? null,
        lastErrorAt: h.lastErrorAt ?? null,
        lastSuccessAt: h.lastSuccessAt ?? null,
      };
    });
  }
}
