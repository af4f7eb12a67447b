/**
 * A site's pages, for its owner (`/site/:id/…`) and through a share link
 * (`/share/:token/…`). Each is a sub-app whose middleware loads the site
 * into `c.var.site` once: a site that is not the viewer's answers 404,
 * exactly as one that does not exist.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Config, linkOrigin } from '../core/config.js';
import { deleteShareLink, findSharedSiteId, insertShareLink, listShareLinks } from '../core/db/accounts.js';
import type { Store } from '../core/db/connect.js';
import { countEvents } from '../core/db/events.js';
import type { Site } from '../core/db/schema.js';
import { deleteSite, findSite, updateSite, updateSiteFilters } from '../core/db/sites.js';
import { HttpError } from '../core/errors.js';
import { parseId } from '../core/ids.js';
import { PIXEL_PATH, TRACKER_PATH } from '../core/paths.js';
import type { SiteCache } from '../core/site-cache.js';
import { newToken, signedIn, tokenHash } from './auth.js';
import { type FiltersFormState, parseFiltersForm, parseSiteForm } from './forms.js';
import { currentUser, page, viewerOf } from './page.js';
import { exportCsv, realtimePage, reportPage } from './report-routes.js';
import { changeTimezone } from './reports/rollup-job.js';
import { isTimeZone } from './reports/zone.js';
import { DeletePage, type SettingsFormState, SettingsPage } from './views/settings.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The site of the page: the viewer's own, or the one a share link opens. */
    site: Site;
  }
}

/** What a site's pages need. */
export interface SiteDeps {
  readonly store: Store;
  readonly config: Config;
  readonly sites: SiteCache;
}

const notFound = () => new HttpError(404, 'There is no such site.');

/** Sets `c.var.site` to the `:id` site if the signed-in viewer owns it; 404 otherwise. */
function ownedSite(store: Store): MiddlewareHandler {
  return async (c, next) => {
    const id = parseId(c.req.param('id') ?? '');
    const site = id > 0 ? await findSite(store.db, id) : undefined;
    if (site === undefined || site.owner_id !== currentUser(c).id) throw notFound();
    c.set('site', site);
    await next();
  };
}

/** Sets `c.var.site` to the site that the `:token` share link opens; 404 for a link that is not one. */
function sharedSite(store: Store): MiddlewareHandler {
  return async (c, next) => {
    const token = c.req.param('token') ?? '';
    const siteId = /^[\w-]{43}$/.test(token) ? await findSharedSiteId(store.db, tokenHash(token)) : undefined;
    const site = siteId === undefined ? undefined : await findSite(store.db, siteId);
    if (site === undefined) throw notFound();
    c.set('site', site);
    await next();
  };
}

/** The owner's pages of a site, to mount at `/site/:id`: the report, and the settings (siteSettingsRoutes). */
export function siteRoutes(deps: SiteDeps): Hono {
  const { store, config, sites } = deps;
  const app = new Hono();
  const { db } = store;
  // Links that leave the dashboard point here; a page says so when it is only the listen address.
  const unsetPublicUrl = config.publicUrl === undefined ? linkOrigin(config) : undefined;
  // On each route, not app.use: a path no route serves stays a 404 for everyone.
  const owner = ownedSite(store);
  app.route('/', siteSettingsRoutes(deps));

  const ownerReport = (c: Context, filters: FiltersFormState, status: ContentfulStatusCode) => {
    const site = c.var.site;
    const snippet = installSnippet(linkOrigin(config), site.id);
    return reportPage(c, store, site, `/site/${site.id}`, { viewer: viewerOf(c), snippet, unsetPublicUrl, filters }, status);
  };

  app.get('/', signedIn, owner, (c) => {
    const values = { allowAnyHost: c.var.site.allow_any_host === 1, excludedIps: c.var.site.excluded_ips };
    return ownerReport(c, { values, errors: {} }, 200);
  });
  app.get('/export/:file', signedIn, owner, (c) => exportCsv(c, store, c.var.site, true));
  app.get('/realtime', signedIn, owner, (c) => realtimePage(c, store, c.var.site, `/site/${c.var.site.id}`, viewerOf(c)));

  app.post('/filters', signedIn, owner, async (c) => {
    const site = c.var.site;
    const result = parseFiltersForm(await c.req.parseBody());
    if ('errors' in result) return ownerReport(c, result, 400);
    await updateSiteFilters(db, site.id, result.filters);
    // This process's collector sees the change at once; others within SITE_CACHE_SECONDS.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}#filters`, 303);
  });

  return app;
}

// One builder per URL space: each handler is short, and reading them in
// order shows the whole space; split further, a route would be hard to find.
/** A site's settings, share links and deletion; mounted by siteRoutes, behind its middleware. */
function siteSettingsRoutes({ store, config, sites }: SiteDeps): Hono {
  const app = new Hono();
  const owner = ownedSite(store);
  const { db } = store;
  const unsetPublicUrl = config.publicUrl === undefined ? linkOrigin(config) : undefined;

  const currentSettings = (site: Site): SettingsFormState => ({
    values: { base_url: site.base_url, name: site.name, timezone: site.timezone },
    errors: {},
  });
  const settingsPage = async (c: Context, form: SettingsFormState, status: ContentfulStatusCode, newLink?: string) => {
    const links = await listShareLinks(db, c.var.site.id);
    return page(
      c,
      <SettingsPage site={c.var.site} viewer={viewerOf(c)} form={form} links={links} newLink={newLink} unsetPublicUrl={unsetPublicUrl} />,
      status,
    );
  };

  app.get('/settings', signedIn, owner, (c) => settingsPage(c, currentSettings(c.var.site), 200));

  app.post('/settings', signedIn, owner, async (c) => {
    const site = c.var.site;
    const form = await c.req.parseBody();
    const result = parseSiteForm(form);
    const timezone = typeof form.timezone === 'string' ? form.timezone : site.timezone;
    const errors = 'errors' in result ? { ...result.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'Choose a time zone from the list.';
    if ('errors' in result || Object.keys(errors).length > 0) {
      const values = { base_url: String(form.base_url ?? ''), name: String(form.name ?? ''), timezone };
      return settingsPage(c, { values, errors }, 400);
    }
    await updateSite(db, site.id, result.site);
    // Days are cut anew in the new zone: the roll-ups are made again.
    if (timezone !== site.timezone) await changeTimezone(store, site.id, timezone);
    // The domain decides which pages count: the collector must see it now.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}/settings`, 303);
  });

  app.post('/shares', signedIn, owner, async (c) => {
    const token = newToken();
    await insertShareLink(db, c.var.site.id, tokenHash(token), Date.now());
    return settingsPage(c, currentSettings(c.var.site), 201, `${linkOrigin(config)}/share/${token}`);
  });

  app.post('/shares/:link/revoke', signedIn, owner, async (c) => {
    const linkId = parseId(c.req.param('link'));
    if (linkId < 1 || !(await deleteShareLink(db, c.var.site.id, linkId))) throw new HttpError(404, 'There is no such link.');
    return c.redirect(`/site/${c.var.site.id}/settings#sharing`, 303);
  });

  const deletePage = async (c: Context, error: string | undefined, status: ContentfulStatusCode) =>
    page(c, <DeletePage site={c.var.site} viewer={viewerOf(c)} events={await countEvents(db, c.var.site.id)} error={error} />, status);

  app.get('/delete', signedIn, owner, (c) => deletePage(c, undefined, 200));

  app.post('/delete', signedIn, owner, async (c) => {
    const site = c.var.site;
    const confirm = (await c.req.parseBody()).confirm;
    if (typeof confirm !== 'string' || confirm.trim().toLowerCase() !== site.domain) {
      return deletePage(c, `Type ${site.domain} to confirm.`, 400);
    }
    await deleteSite(db, site.id);
    sites.forget(site.id);
    return c.redirect('/', 303);
  });

  return app;
}

/** The pages a share link opens, to mount at `/share/:token`: the report without the owner's parts. */
export function sharedRoutes(store: Store): Hono {
  const app = new Hono();
  app.use(sharedSite(store));
  const base = (c: Context) => `/share/${c.req.param('token')}`;
  app.get('/', (c) => reportPage(c, store, c.var.site, base(c), undefined, 200));
  app.get('/export/:file', (c) => exportCsv(c, store, c.var.site, false));
  app.get('/realtime', (c) => realtimePage(c, store, c.var.site, base(c), undefined));
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
