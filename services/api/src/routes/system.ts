import { Router } from 'express';
import type { ApiDeps } from '../deps';

/** GET /api/system/latest (issue #3: sysmon). */
export function systemRoutes(_deps: ApiDeps): Router {
  return Router();
}
