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
import { type CollectorDeps, createCollector, PIXEL_PATH } from '../collector/app.js';
import type { Config } from '../collector/config.js';
import { deleteShareLink, findSharedSiteId, insertShareLink, listShareLinks } from '../collector/db/accounts.js';
import type { Store } from '../collector/db/connect.js';
import { countEvents, type EventCursor, listEvents } from '../collector/db/events.js';
import { filteredSince } from '../collector/db/filtered.js';
import type { Site, User } from '../collector/db/schema.js';
import { deleteSite, findSite, insertSite, listSites, updateSite, updateSiteFilters } from '../collector/db/sites.js';
import { HttpError, handleError } from '../collector/errors.js';
import { parseId } from '../collector/parse.js';
import type { SiteCache } from '../collector/site-cache.js';
import { utcDay } from '../collector/time.js';
import { TRACKER_PATH } from '../collector/tracker.js';
import { accountRoutes } from './accounts.js';
import { loadSession, newToken, signedIn, tokenHash } from './auth.js';
import { csrfProtection } from './csrf.js';
import { type FiltersFormState, parseFiltersForm, parseSiteForm } from './forms.js';
import { securityHeaders } from './headers.js';
import { logRequests } from './logging.js';
import { currentUser, page, viewerOf } from './page.js';
import { STYLESHEET } from './style.js';
import { LoginThrottle } from './throttle.js';
import { HomePage, type SiteFormState } from './views/home.js';
import { ErrorPage } from './views/layout.js';
import { DeletePage, SettingsPage } from './views/settings.js';
import { type OwnerParts, SitePage } from './views/site.js';

/** Largest form body the dashboard reads. */
const MAX_FORM_BODY = 64 * 1024;

/** Events shown per page of a site's event list. */
export const EVENTS_PER_PAGE = 50;

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
  app.use(loadSession(db));

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

  /** The report page, for the owner or for a share link. */
  const report = async (c: Context, site: Site, basePath: string, owner: OwnerParts | undefined, status: ContentfulStatusCode) => {
    const before = parseCursor(c.req.query('before'));
    const { events, next } = await listEvents(db, site.id, EVENTS_PER_PAGE, before);
    const filtered = await filteredSince(db, site.id, `${utcDay(Date.now()).slice(0, 8)}01`);
    const props = { site, events, next, paged: before !== undefined, filtered, basePath, owner };
    return page(c, <SitePage {...props} />, status);
  };
  const ownerReport = (c: Context, site: Site, filters: FiltersFormState, status: ContentfulStatusCode) => {
    const snippet = installSnippet(config.publicUrl ?? new URL(c.req.url).origin, site.id);
    return report(c, site, `/site/${site.id}`, { viewer: viewerOf(c), snippet, filters }, status);
  };

  app.get('/site/:id', signedIn, async (c) => {
    const site = await ownSite(c);
    const values = { allowAnyHost: site.allow_any_host === 1, excludedIps: site.excluded_ips };
    return ownerReport(c, site, { values, errors: {} }, 200);
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

  const settingsPage = async (c: Context, site: Site, form: SiteFormState, status: ContentfulStatusCode, newLink?: string) => {
    const links = await listShareLinks(db, site.id);
    return page(c, <SettingsPage site={site} viewer={viewerOf(c)} form={form} links={links} newLink={newLink} />, status);
  };

  app.get('/site/:id/settings', signedIn, async (c) => {
    const site = await ownSite(c);
    return settingsPage(c, site, { values: { base_url: site.base_url, name: site.name }, errors: {} }, 200);
  });

  app.post('/site/:id/settings', signedIn, async (c) => {
    const site = await ownSite(c);
    const form = await c.req.parseBody();
    const result = parseSiteForm(form);
    if ('errors' in result) {
      const values = { base_url: String(form.base_url ?? ''), name: String(form.name ?? '') };
      return settingsPage(c, site, { values, errors: result.errors }, 400);
    }
    await updateSite(db, site.id, result.site);
    // The domain decides which pages count: the collector must see it now.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}/settings`, 303);
  });

  app.post('/site/:id/shares', signedIn, async (c) => {
    const site = await ownSite(c);
    const token = newToken();
    await insertShareLink(db, site.id, tokenHash(token), Date.now());
    const link = `${config.publicUrl ?? new URL(c.req.url).origin}/share/${token}`;
    return settingsPage(c, site, { values: { base_url: site.base_url, name: site.name }, errors: {} }, 201, link);
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
    return report(c, site, `/share/${c.req.param('token')}`, undefined, 200);
  });

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

/** Everything one process serves: the collector's routes, then the dashboard's. */
export function createApp(deps: CollectorDeps & Omit<DashboardDeps, 'sites'>): Hono {
  const app = new Hono();
  app.route('/', createCollector(deps));
  app.route('/', createDashboard({ ...deps, sites: deps.ingest.sites }));
  // Mounted apps do not carry their notFound; the dashboard middleware has run by now.
  app.notFound((c) => page(c, <ErrorPage status={404} message="There is no such page." />, 404));
  app.onError(handleError);
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

function parseCursor(text: string | undefined): EventCursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (match === null) throw new HttpError(400, 'That page link is broken: go back to the newest events.');
  return { ts: Number(match[1]), id: Number(match[2]) };
}
