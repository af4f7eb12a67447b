/**
 * The dashboard: its middleware, the home page, and where the account
 * routes (accounts.tsx) and a site's pages (sites.tsx) are mounted.
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../core/config.js';
import type { Store } from '../core/db/connect.js';
import type { User } from '../core/db/schema.js';
import { insertSite, listSites } from '../core/db/sites.js';
import { HttpError } from '../core/errors.js';
import type { SiteCache } from '../core/site-cache.js';
import { accountRoutes } from './accounts.js';
import { loadSession, signedIn } from './auth.js';
import { csrfProtection, originCheck } from './csrf.js';
import { parseSiteForm } from './forms.js';
import { securityHeaders } from './headers.js';
import { logRequests } from './logging.js';
import { currentUser, page, viewerOf } from './page.js';
import { sharedRoutes, siteRoutes } from './sites.js';
import { STYLESHEET } from './style.js';
import { LoginThrottle } from './throttle.js';
import { HomePage, type SiteFormState } from './views/home.js';
import { ErrorPage } from './views/layout.js';

/** Largest form body the dashboard reads. */
const MAX_FORM_BODY = 64 * 1024;

const emptyForm: SiteFormState = { values: { base_url: '', name: '' }, errors: {} };

/** What the dashboard needs; `throttle` and `now` are for tests. */
export interface DashboardDeps {
  readonly store: Store;
  readonly config: Config;
  readonly sites: SiteCache;
  readonly throttle?: LoginThrottle;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Builds the dashboard's routes. */
export function createDashboard({ store, config, sites, throttle, sleep }: DashboardDeps): Hono {
  const app = new Hono();
  const { db } = store;
  app.use(logRequests());
  app.use(securityHeaders());
  app.use(async (c, next) => {
    c.set('renderError', (ctx, status, message) => page(ctx, <ErrorPage status={status} message={message} />, status));
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: MAX_FORM_BODY,
      onError: () => {
        throw new HttpError(413, 'That form is larger than any Sightline form can be.');
      },
    }),
  );
  app.use(originCheck(config.publicUrl === undefined ? undefined : new URL(config.publicUrl).origin));
  app.use(csrfProtection(config.accounts.secureCookies));
  app.use(loadSession(db, config.accounts.secureCookies));

  app.get('/assets/style.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  // No icon yet; an empty answer keeps browsers from logging a 404 on every page.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.route('/', accountRoutes({ db, config, throttle: throttle ?? new LoginThrottle(), ...(sleep ? { sleep } : {}) }));

  app.get('/', signedIn, async (c) => homePage(c, emptyForm, 200));
  // Sites were once listed at /sites; links to it still work.
  app.get('/sites', (c) => c.redirect('/', 301));

  app.post('/site', signedIn, async (c) => {
    const form = await c.req.parseBody();
    const result = parseSiteForm(form);
    if ('errors' in result) {
      const values = { base_url: String(form.base_url ?? ''), name: String(form.name ?? '') };
      return homePage(c, { values, errors: result.errors }, 400);
    }
    const site = await insertSite(db, { ...result.site, owner_id: currentUser(c).id, created_at: Date.now() });
    return c.redirect(`/site/${site.id}`, 303);
  });

  app.route('/site/:id', siteRoutes({ store, config, sites }));
  app.route('/share/:token', sharedRoutes(store));

  async function homePage(c: Context, form: SiteFormState, status: 200 | 400): Promise<Response> {
    const user: User = currentUser(c);
    return page(c, <HomePage sites={await listSites(db, user.id)} form={form} viewer={viewerOf(c)} />, status);
  }

  return app;
}
