import { Router } from 'express';
import { DEFAULT_MAX_POINTS, readHostHistory, readStreamHistory, type HistoryRange } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { HttpError, fromRedis } from '../errors';
import { NODE_ID, STREAM_NAME, readQuery } from '../query';

const MS = /^\d{1,15}$/;
const COUNT = /^\d{1,6}$/;
const RANGE = { from: MS, to: MS, minutes: COUNT, maxPoints: COUNT };
const DEFAULT_MINUTES = 10;
const MAX_POINTS = 10_000;

/**
 * The range of a history request: from/to in epoch ms (to defaults to now), or the last `minutes`
 * (the older form); the last 10 minutes without either. At most maxPoints points (default 500).
 */
function readRange(q: Partial<Record<keyof typeof RANGE, string>>): HistoryRange {
  const now = Date.now();
  if (q.minutes !== undefined && (q.from !== undefined || q.to !== undefined)) {
    throw new HttpError(400, 'query parameter "minutes" cannot be combined with "from" or "to"');
  }
  const minutes = Number(q.minutes ?? DEFAULT_MINUTES);
  if (minutes < 1) throw new HttpError(400, 'query parameter "minutes" must be at least 1');
  const toMs = q.to === undefined ? now : Number(q.to);
  const fromMs = q.from === undefined ? toMs - minutes * 60_000 : Number(q.from);
  if (fromMs > toMs) throw new HttpError(400, 'query parameter "from" must not be after "to"');
  const maxPoints = Number(q.maxPoints ?? DEFAULT_MAX_POINTS);
  if (maxPoints < 1 || maxPoints > MAX_POINTS) throw new HttpError(400, `query parameter "maxPoints" must be 1 to ${MAX_POINTS}`);
  return { fromMs, toMs, maxPoints, nowMs: now };
}

/**
 * GET /api/history?node=ID&name=NAME[&from=MS][&to=MS][&maxPoints=N] (or &minutes=N): one stream's
 * history from the finest tier that still covers `from`, oldest first; GET /api/history/system
 * likewise for the host. Unknown streams answer no points.
 */
export function historyRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/api/history', async (req, res) => {
    const q = readQuery(req, { node: NODE_ID, name: STREAM_NAME, ...RANGE });
    if (q.node === undefined || q.name === undefined) throw new HttpError(400, 'query parameters "node" and "name" are required');
    const answer = await fromRedis(readStreamHistory(deps.redis, q.node, q.name, readRange(q)));
    res.json({ node: q.node, name: q.name, ...answer });
  });
  router.get('/api/history/system', async (req, res) => {
    const answer = await fromRedis(readHostHistory(deps.redis, readRange(readQuery(req, RANGE))));
    res.json(answer);
  });
  return router;
}
