import { Router } from 'express';
import type { ApiDeps } from '../deps';

/** GET /api/snapshots/latest and the images (issue #3: snapshotter). */
export function snapshotRoutes(_deps: ApiDeps): Router {
  return Router();
}
