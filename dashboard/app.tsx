/**
 * The dashboard's routes. Account routes are in accounts.tsx; the site
 * routes are here. Every page of a site goes through `ownSite`, which
 * answers 404 for a site that is not the viewer's, exactly as for one that
 * does not exist; the shared report goes through `sharedSite`.
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Config, linkOrigin } from '../core/config.js';
import { deleteShareLink, findSharedSiteId, insertShareLink, listShareLinks } from '../core/db/accounts.js';
import type { Store } from '../core/db/connect.js';
import { countEvents } from '../core/db/events.js';
import type { Site, User } from '../core/db/schema.js';
import { deleteSite, findSite, insertSite, listSites, updateSite, updateSiteFilters } from '../core/db/sites.js';
import { HttpError } from '../core/errors.js';
import { parseId } from '../core/ids.js';
import { PIXEL_PATH, TRACKER_PATH } from '../core/paths.js';
import type { SiteCache } from '../core/site-cache.js';
import { accountRoutes } from './accounts.js';
import { loadSession, newToken, signedIn, tokenHash } from './auth.js';
import { csrfProtection } from './csrf.js';
import { type FiltersFormState, parseFiltersForm, parseSiteForm } from './forms.js';
import { securityHeaders } from './headers.js';
import { logRequests } from './logging.js';
import { currentUser, page, viewerOf } from './page.js';
import { exportCsv, realtimePage, reportPage } from './report-routes.js';
import { changeTimezone } from './reports/rollup-job.js';
import { isTimeZone } from './reports/zone.js';
import { STYLESHEET } from './style.js';
import { LoginThrottle } from './throttle.js';
import { HomePage, type SiteFormState } from './views/home.js';
import { ErrorPage } from './views/layout.js';
import { DeletePage, type SettingsFormState, SettingsPage } from './views/settings.js';

export { EVENTS_PER_PAGE } from './report-routes.js';

/** Largest form body the dashboard reads. */
const MAX_FORM_BODY = 64 * 1024;

const emptyForm: SiteFormState = { values: { base_url: '', name: '' }, errors: {} };
const notFound = () => new HttpError(404, 'There is no such site.');

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
  // Links that leave the dashboard point here; a page says so when it is only the listen address.
  const unsetPublicUrl = config.publicUrl === undefined ? linkOrigin(config) : undefined;

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
  // The seed listed sites at /sites; keep its links working.
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

  const ownerReport = (c: Context, site: Site, filters: FiltersFormState, status: ContentfulStatusCode) => {
    const snippet = installSnippet(linkOrigin(config), site.id);
    return reportPage(c, store, site, `/site/${site.id}`, { viewer: viewerOf(c), snippet, unsetPublicUrl, filters }, status);
  };

  app.get('/site/:id', signedIn, async (c) => {
    const site = await ownSite(c);
    const values = { allowAnyHost: site.allow_any_host === 1, excludedIps: site.excluded_ips };
    return ownerReport(c, site, { values, errors: {} }, 200);
  });

  app.get('/site/:id/export/:file', signedIn, async (c) => exportCsv(c, store, await ownSite(c), true));
  app.get('/site/:id/realtime', signedIn, async (c) => {
    const site = await ownSite(c);
    return realtimePage(c, store, site, `/site/${site.id}`, viewerOf(c));
  });

  app.post('/site/:id/filters', signedIn, async (c) => {
    const site = await ownSite(c);
    const result = parseFiltersForm(await c.req.parseBody());
    if ('errors' in result) return ownerReport(c, site, result, 400);
    await updateSiteFilters(db, site.id, result.filters);
    // This process's collector sees the change at once; others within SITE_CACHE_SECONDS.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}#filters`, 303);
  });

  const currentSettings = (site: Site): SettingsFormState => ({
    values: { base_url: site.base_url, name: site.name, timezone: site.timezone },
    errors: {},
  });
  const settingsPage = async (c: Context, site: Site, form: SettingsFormState, status: ContentfulStatusCode, newLink?: string) => {
    const links = await listShareLinks(db, site.id);
    return page(
      c,
      <SettingsPage site={site} viewer={viewerOf(c)} form={form} links={links} newLink={newLink} unsetPublicUrl={unsetPublicUrl} />,
      status,
    );
  };

  app.get('/site/:id/settings', signedIn, async (c) => {
    const site = await ownSite(c);
    return settingsPage(c, site, currentSettings(site), 200);
  });

  app.post('/site/:id/settings', signedIn, async (c) => {
    const site = await ownSite(c);
    const form = await c.req.parseBody();
    const result = parseSiteForm(form);
    const timezone = typeof form.timezone === 'string' ? form.timezone : site.timezone;
    const errors = 'errors' in result ? { ...result.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'Choose a time zone from the list.';
    if ('errors' in result || Object.keys(errors).length > 0) {
      const values = { base_url: String(form.base_url ?? ''), name: String(form.name ?? ''), timezone };
      return settingsPage(c, site, { values, errors }, 400);
    }
    await updateSite(db, site.id, result.site);
    // Days are cut anew in the new zone: the roll-ups are made again.
    if (timezone !== site.timezone) await changeTimezone(store, site.id, timezone);
    // The domain decides which pages count: the collector must see it now.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}/settings`, 303);
  });

  app.post('/site/:id/shares', signedIn, async (c) => {
    const site = await ownSite(c);
    const token = newToken();
    await insertShareLink(db, site.id, tokenHash(token), Date.now());
    const link = `${linkOrigin(config)}/share/${token}`;
    return settingsPage(c, site, currentSettings(site), 201, link);
  });

  app.post('/site/:id/shares/:link/revoke', signedIn, async (c) => {
    const site = await ownSite(c);
    const linkId = parseId(c.req.param('link'));
    if (linkId < 1 || !(await deleteShareLink(db, site.id, linkId))) throw new HttpError(404, 'There is no such link.');
    return c.redirect(`/site/${site.id}/settings#sharing`, 303);
  });

  app.get('/site/:id/delete', signedIn, async (c) => {
    const site = await ownSite(c);
    return page(c, <DeletePage site={site} viewer={viewerOf(c)} events={await countEvents(db, site.id)} error={undefined} />);
  });

  app.post('/site/:id/delete', signedIn, async (c) => {
    const site = await ownSite(c);
    const confirm = (await c.req.parseBody()).confirm;
    if (typeof confirm !== 'string' || confirm.trim().toLowerCase() !== site.domain) {
      const error = `Type ${site.domain} to confirm.`;
      return page(c, <DeletePage site={site} viewer={viewerOf(c)} events={await countEvents(db, site.id)} error={error} />, 400);
    }
    await deleteSite(db, site.id);
    sites.forget(site.id);
    return c.redirect('/', 303);
  });

  app.get('/share/:token', async (c) => {
    const site = await sharedSite(c);
    return reportPage(c, store, site, `/share/${c.req.param('token')}`, undefined, 200);
  });

  app.get('/share/:token/export/:file', async (c) => exportCsv(c, store, await sharedSite(c), false));
  app.get('/share/:token/realtime', async (c) => realtimePage(c, store, await sharedSite(c), `/share/${c.req.param('token')}`, undefined));

  /** The site of the `:id` parameter if the viewer owns it; otherwise 404, as for no site at all. */
  async function ownSite(c: Context): Promise<Site> {
    const site = await siteById(c.req.param('id') ?? '');
    if (site === undefined || site.owner_id !== currentUser(c).id) throw notFound();
    return site;
  }

  async function sharedSite(c: Context): Promise<Site> {
    const token = c.req.param('token') ?? '';
    const siteId = /^[\w-]{43}$/.test(token) ? await findSharedSiteId(db, tokenHash(token)) : undefined;
    const site = siteId === undefined ? undefined : await findSite(db, siteId);
    if (site === undefined) throw notFound();
    return site;
  }

  async function siteById(idText: string): Promise<Site | undefined> {
    const id = parseId(idText);
    return id > 0 ? findSite(db, id) : undefined;
  }

  async function homePage(c: Context, form: SiteFormState, status: 200 | 400): Promise<Response> {
    const user: User = currentUser(c);
    return page(c, <HomePage sites={await listSites(db, user.id)} form={form} viewer={viewerOf(c)} />, status);
  }

  return app;
}

/**
 * What a site owner pastes into their pages: the tracker tag, and an image
 * that counts the page view in browsers without JavaScript.
 */
export function installSnippet(origin: string, siteId: number): string {
  return [
    `<script defer src="${origin}${TRACKER_PATH}" data-site="${siteId}"></script>`,
    `<noscript><img src="${origin}${PIXEL_PATH}?s=${siteId}" alt="" width="1" height="1" referrerpolicy="no-referrer-when-downgrade"></noscript>`,
  ].join('\n');
}
