import path from 'node:path';
import express from 'express';
import type { Auth } from './auth/auth';
import type { ApiDeps } from './deps';
import { errorHandler, notFound } from './errors';
import type { LatestCache } from './latest';
import { alertRoutes } from './routes/alerts';
import { healthRoutes } from './routes/health';
import { historyRoutes } from './routes/history';
import { metricsRoutes } from './routes/metrics';
import { snapshotRoutes } from './routes/snapshots';
import { streamRoutes } from './routes/streams';
import { systemRoutes } from './routes/system';

/** The dashboard's files, as laid out in the repository (services/web/public). */
export const DEFAULT_STATIC_DIR = path.resolve(__dirname, '../../web/public');

/** The routes; `auth` gates every request before them (server.ts) and adds /api/login, /api/logout and /api/me. */
export function createApp(deps: ApiDeps, cache: LatestCache, staticDir: string, auth: Auth): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(auth.routes());
  app.use(streamRoutes(deps, cache));
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(deps, cache));
  app.use(historyRoutes(deps));
  app.use(systemRoutes(deps));
  app.use(snapshotRoutes(deps));
  app.use(alertRoutes(deps));
  app.use('/api', notFound);
  app.use(express.static(staticDir, { index: 'index.html', maxAge: 0 }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
