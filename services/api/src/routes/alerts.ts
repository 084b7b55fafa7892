import { Router } from 'express';
import { AlertStore, type AlertRecord } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { HttpError, fromRedis } from '../errors';
import { readQuery } from '../query';

const MAX_HISTORY = 10_000;
const SEVERITY_ORDER: Record<string, number> = { crit: 0, warn: 1, info: 2 };

/**
 * The alerter's state (issue #10), as it keeps it in Redis:
 * GET /api/alerts: pending and firing alerts, firing first, then by severity and age;
 * GET /api/alerts/history?limit=N: recent state changes, newest first (default 100);
 * GET /api/alerts/rules: the loaded rules and each notifier's delivery figures (never a URL).
 */
export function alertRoutes(deps: ApiDeps): Router {
  const router = Router();
  const store = new AlertStore(deps.redis);

  router.get('/api/alerts', async (req, res) => {
    readQuery(req, {});
    res.json(alertList(await fromRedis(store.alerts())));
  });

  router.get('/api/alerts/history', async (req, res) => {
    const q = readQuery(req, { limit: /^\d{1,5}$/ });
    const limit = Number(q.limit ?? 100);
    if (limit < 1 || limit > MAX_HISTORY) throw new HttpError(400, `query parameter "limit" must be 1 to ${MAX_HISTORY}`);
    res.json(await fromRedis(store.history(limit)));
  });

  router.get('/api/alerts/rules', async (req, res) => {
    readQuery(req, {});
    const rules = await fromRedis(store.rules());
    if (rules === null) throw new HttpError(503, 'no alerter has started');
    const notifiers = await fromRedis(store.notifierStatuses(rules.notifiers));
    res.json({ ...rules, notifiers });
  });

  return router;
}

/** Alerts as the api shows them (REST, and for a WebSocket push): firing first, then by severity and age. */
export function alertList(records: AlertRecord[]) {
  return [...records].sort(byImportance).map(publicAlert);
}

function byImportance(a: AlertRecord, b: AlertRecord): number {
  if (a.state !== b.state) return a.state === 'firing' ? -1 : 1;
  const sev = (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3);
  if (sev !== 0) return sev;
  return a.activeAt < b.activeAt ? -1 : a.activeAt > b.activeAt ? 1 : a.id < b.id ? -1 : 1;
}

/** An alert as served: since is when it entered its state; the alerter's bookkeeping is left out. */
function publicAlert(a: AlertRecord) {
  return {
    id: a.id,
    rule: a.rule,
    kind: a.kind,
    severity: a.severity,
    state: a.state,
    subject: a.subject,
    since: a.state === 'firing' ? (a.firedAt ?? a.activeAt) : a.activeAt,
    activeAt: a.activeAt,
    value: a.value,
    threshold: a.threshold,
    summary: a.summary,
  };
}
