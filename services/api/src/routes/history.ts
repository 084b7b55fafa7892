import { Router } from 'express';
import { readStreamHistory } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { HttpError, fromRedis } from '../errors';
import { NODE_ID, STREAM_NAME, readQuery } from '../query';

const MAX_MINUTES = 24 * 60;

/** GET /api/history?node=ID&name=NAME[&minutes=N]: one stream's history, oldest first (default: the last 10 minutes). */
export function historyRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/api/history', async (req, res) => {
    const q = readQuery(req, { node: NODE_ID, name: STREAM_NAME, minutes: /^\d{1,4}$/ });
    if (q.node === undefined || q.name === undefined) throw new HttpError(400, 'query parameters "node" and "name" are required');
    const minutes = Number(q.minutes ?? 10);
    if (minutes < 1 || minutes > MAX_MINUTES) throw new HttpError(400, `query parameter "minutes" must be 1 to ${MAX_MINUTES}`);
    const points = await fromRedis(readStreamHistory(deps.redis, q.node, q.name, Date.now() - minutes * 60_000));
    res.json({ node: q.node, name: q.name, points });
  });
  return router;
}
