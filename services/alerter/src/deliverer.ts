import { randomUUID } from 'node:crypto';
import { subjectText } from './conditions';
import type { AlertStore, FaultLog, Logger, NotificationJob } from '@mmon/shared';
import { render, renderBatch } from './formats';
import type { Notifier } from './rules';
import { DELIVERY_TIMEOUT_MS, retryDelay, send, type SendResult } from './send';

export interface DelivererOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  /** A notification still failing this long after it was issued is given up. */
  giveUpMs: number;
  /** Deliveries under way at once. */
  concurrency?: number;
  timeoutMs?: number;
  /** Notifications to one chat notifier due together go as one message of up to this many. */
  batchSize?: number;
}

/**
 * Works the outbox in Redis: claims due notifications (each claim is atomic and leased, so two
 * alerter replicas never send the same one), POSTs them, and records the outcome: sent, due again
 * after a back-off, or given up. Notifications to one chat notifier (not webhooks, whose receivers
 * expect one alert per POST) that are due together go as one message, so a mass outage is a few
 * messages instead of one per stream; each of them is recorded as if sent alone. Runs beside
 * evaluation and never holds it up: kick() starts work and returns at once. A notification whose
 * alerter died mid-delivery is claimed again by any alerter once its lease (the timeout plus a
 * margin) has passed.
 */
export class Deliverer {
  /** This process's claim token. */
  private readonly token = randomUUID();
  private readonly inFlight = new Set<Promise<void>>();
  private claiming = false;
  private again = false;
  private stopped = false;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly batch: { size: number; notifiers: string[] };

  constructor(
    private readonly store: AlertStore,
    private readonly notifiers: Map<string, Notifier>,
    private readonly opts: DelivererOptions,
    private readonly faults: FaultLog,
    private readonly logger: Logger,
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    const chat = [...notifiers.values()].filter((n) => n.type !== 'webhook').map((n) => n.name);
    this.batch = { size: opts.batchSize ?? 1, notifiers: chat };
  }

  /** Claims and starts what is due, up to the concurrency; returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    void this.fill().finally(() => {
      this.claiming = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Stops claiming and waits for the deliveries under way (each ends within the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0 || this.claiming) await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 20))]);
  }

  private async fill(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return;
    let jobs: NotificationJob[];
    try {
      jobs = await this.store.claim(Date.now(), this.timeoutMs + 10_000, free, this.token, this.batch);
      this.faults.ok('outbox');
    } catch (err) {
      this.faults.fail('outbox', err);
      return;
    }
    for (const delivery of this.deliveries(jobs)) {
      const p: Promise<void> = this.deliver(delivery).finally(() => {
        this.inFlight.delete(p);
        this.kick();
      });
      this.inFlight.add(p);
    }
  }

  /** The claimed jobs as the claim grouped them: a batchable notifier's jobs join its open delivery until it is full. */
  private deliveries(jobs: NotificationJob[]): NotificationJob[][] {
    const out: NotificationJob[][] = [];
    const open = new Map<string, NotificationJob[]>();
    for (const job of jobs) {
      const current = open.get(job.notifier);
      if (current !== undefined && current.length < this.batch.size) {
        current.push(job);
        continue;
      }
      const next = [job];
      out.push(next);
      if (this.batch.notifiers.includes(job.notifier)) open.set(job.notifier, next);
    }
    return out;
  }

  /** Sends one delivery (one notification, or several to one chat notifier) and records each job's outcome. */
  private async deliver(jobs: NotificationJob[]): Promise<void> {
    const notifier = this.notifiers.get(jobs[0].notifier);
    const at = () => new Date().toISOString();
    try {
      if (notifier === undefined) {
        const error = `notifier ${jobs[0].notifier} is not configured in this alerter`;
        for (const job of jobs) {
          await this.store.finish(job, this.token, { kind: 'dropped', at: at(), error });
          this.logger.error('notification dropped', { ...describeJob(job), error });
        }
        return;
      }
      const notes = jobs.map((j) => j.notification);
      const result = await send(notifier, notes.length === 1 ? render(notifier, notes[0]) : renderBatch(notifier, notes), this.timeoutMs);
      const source = `notifier ${notifier.name}`;
      if (result.ok) this.faults.ok(source);
      else this.faults.fail(source, result.error);
      for (const job of jobs) await this.record(job, result, jobs.length);
    } catch (err) {
      // Redis failed while recording the outcome: the lease runs out and the notification is claimed again.
      this.faults.fail('outbox', err);
    }
  }

  /** Records how one job's delivery ended: sent, due again after a back-off, or given up. */
  private async record(job: NotificationJob, result: SendResult, together: number): Promise<void> {
    const meta = { ...describeJob(job), ...(together > 1 ? { together } : {}) };
    const at = new Date().toISOString();
    const attempts = job.attempts + 1;
    if (result.ok) {
      await this.store.finish(job, this.token, { kind: 'sent', at });
      this.logger.info('notification sent', { ...meta, attempts });
      return;
    }
    const dueMs = Date.now() + retryDelay(attempts, result.retryAfterMs, this.opts.retryBaseMs, this.opts.retryMaxMs);
    if (result.retryable && dueMs < Date.parse(job.createdAt) + this.opts.giveUpMs) {
      await this.store.finish(job, this.token, { kind: 'retry', at, error: result.error, dueMs, job: { ...job, attempts } });
      this.logger.debug('notification will be retried', { ...meta, attempts, error: result.error, retryAt: new Date(dueMs).toISOString() });
    } else {
      await this.store.finish(job, this.token, { kind: 'dropped', at, error: result.error });
      this.logger.error('notification given up', { ...meta, attempts, error: result.error });
    }
  }
}

/** What a log line says of a notification (never the notifier's URL). */
function describeJob(job: NotificationJob) {
  const n = job.notification;
  return { notifier: job.notifier, rule: n.rule, status: n.status, subject: subjectText(n.subject) };
}
