import { Router } from 'express';
import { keys } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { fromRedis, writeError } from '../errors';

/** GET /api/system/latest: the host metrics object sysmon stored, passed through unparsed. */
export function systemRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/api/system/latest', async (_req, res) => {
    const body = await fromRedis(deps.redis.getBuffer(keys.systemLatest));
    if (body === null) return writeError(res, 503, 'no system sample yet');
    res.status(200).type('application/json').send(body);
  });
  return router;
}
