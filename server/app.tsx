/**
 * Everything one process serves (what `npm start` runs): the collector's
 * routes, the API, then the dashboard's, with one error handler.
 */
import { Hono } from 'hono';
import { type CollectorDeps, createCollector } from '../collector/app.js';
import { handleError } from '../core/errors.js';
import { createApi } from '../dashboard/api/routes.js';
import { createDashboard, type DashboardDeps } from '../dashboard/app.js';
import { page } from '../dashboard/page.js';
import { ErrorPage } from '../dashboard/views/layout.js';

/** Everything one process serves: the collector's routes, then the dashboard's. */
export function createApp(deps: CollectorDeps & Omit<DashboardDeps, 'sites'> & { apiRateLimit?: number }): Hono {
  const app = new Hono();
  app.route('/', createCollector(deps));
  // Before the dashboard: API requests carry a key, not a session and a CSRF token.
  const api = { store: deps.store, sites: deps.ingest.sites, trustedProxies: deps.config.ingest.trustedProxies };
  app.route('/api/v1', createApi(deps.apiRateLimit === undefined ? api : { ...api, rateLimit: deps.apiRateLimit }));
  app.route('/', createDashboard({ ...deps, sites: deps.ingest.sites }));
  // Mounted apps do not carry their notFound; the dashboard middleware has run by now.
  app.notFound((c) => page(c, <ErrorPage status={404} message="There is no such page." />, 404));
  app.onError(handleError);
  return app;
}
