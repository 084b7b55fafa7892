import { randomUUID } from 'node:crypto';
import { subjectText } from './conditions';
import type { AlertStore, FaultLog, Logger, NotificationJob } from '@mmon/shared';
import type { Notifier } from './rules';
import { DELIVERY_TIMEOUT_MS, retryDelay, send } from './send';

export interface DelivererOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  /** A notification still failing this long after it was issued is given up. */
  giveUpMs: number;
  /** Deliveries under way at once. */
  concurrency?: number;
  timeoutMs?: number;
}

/**
 * Works the outbox in Redis: claims due notifications (each claim is atomic and leased, so two
 * alerter replicas never send the same one), POSTs them, and records the outcome: sent, due again
 * after a back-off, or given up. Runs beside evaluation and never holds it up: kick() starts work
 * and returns at once. A notification whose alerter died mid-delivery is claimed again by any
 * alerter once its lease (the timeout plus a margin) has passed.
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

  constructor(
    private readonly store: AlertStore,
    private readonly notifiers: Map<string, Notifier>,
    private readonly opts: DelivererOptions,
    private readonly faults: FaultLog,
    private readonly logger: Logger,
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
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
      jobs = await this.store.claim(Date.now(), this.timeoutMs + 10_000, free, this.token);
      this.faults.ok('outbox');
    } catch (err) {
      this.faults.fail('outbox', err);
      return;
    }
    for (const job of jobs) {
      const p: Promise<void> = this.deliver(job).finally(() => {
        this.inFlight.delete(p);
        this.kick();
      });
      this.inFlight.add(p);
    }
  }

  private async deliver(job: NotificationJob): Promise<void> {
    const n = job.notification;
    const meta = { notifier: job.notifier, rule: n.rule, status: n.status, subject: subjectText(n.subject) };
    const notifier = this.notifiers.get(job.notifier);
    const at = () => new Date().toISOString();
    try {
      if (notifier === undefined) {
        const error = `notifier ${job.notifier} is not configured in this alerter`;
        await this.store.finish(job, this.token, { kind: 'dropped', at: at(), error });
        this.logger.error('notification dropped', { ...meta, error });
        return;
      }
      const result = await send(notifier, n, this.timeoutMs);
      const source = `notifier ${notifier.name}`;
      if (result.ok) {
        await this.store.finish(job, this.token, { kind: 'sent', at: at() });
        this.faults.ok(source);
        this.logger.info('notification sent', { ...meta, attempts: job.attempts + 1 });
        return;
      }
      this.faults.fail(source, result.error);
      const attempts = job.attempts + 1;
      const dueMs = Date.now() + retryDelay(attempts, result.retryAfterMs, this.opts.retryBaseMs, this.opts.retryMaxMs);
      if (result.retryable && dueMs < Date.parse(job.createdAt) + this.opts.giveUpMs) {
        await this.store.finish(job, this.token, { kind: 'retry', at: at(), error: result.error, dueMs, job: { ...job, attempts } });
        this.logger.debug('notification will be retried', { ...meta, attempts, error: result.error, retryAt: new Date(dueMs).toISOString() });
      } else {
        await this.store.finish(job, this.token, { kind: 'dropped', at: at(), error: result.error });
        this.logger.error('notification given up', { ...meta, attempts, error: result.error });
      }
    } catch (err) {
      // Redis failed while recording the outcome: the lease runs out and the notification is claimed again.
      this.faults.fail('outbox', err);
    }
  }
}
