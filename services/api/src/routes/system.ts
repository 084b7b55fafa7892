import { Router } from 'express';
import { keys } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { writeError } from '../errors';

/** GET /api/system/latest: the host metrics object sysmon stored, passed through unparsed. */
export function systemRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/api/system/latest', async (_req, res) => {
    let body: Buffer | null;
    try {
      body = await deps.redis.getBuffer(keys.systemLatest);
    } catch (err) {
      deps.logger.warn('reading system sample failed', { error: (err as Error).message });
      return writeError(res, 503, 'redis unavailable');
    }
    if (body === null) return writeError(res, 503, 'no system sample yet');
    res.status(200).type('application/json').send(body);
  });
  return router;
}
