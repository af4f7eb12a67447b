/**
 * The dashboard's routes. Every page is open for now; pages that show one
 * site load it through `loadSite`, the one place an ownership check will go.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type CollectorDeps, createCollector, PIXEL_PATH } from '../collector/app.js';
import type { Config } from '../collector/config.js';
import type { Store } from '../collector/db/connect.js';
import { type EventCursor, listEvents } from '../collector/db/events.js';
import { filteredSince } from '../collector/db/filtered.js';
import type { Site } from '../collector/db/schema.js';
import { findSite, insertSite, listSites, updateSiteFilters } from '../collector/db/sites.js';
import { HttpError, handleError } from '../collector/errors.js';
import { parseId } from '../collector/parse.js';
import type { SiteCache } from '../collector/site-cache.js';
import { utcDay } from '../collector/time.js';
import { TRACKER_PATH } from '../collector/tracker.js';
import { csrfProtection } from './csrf.js';
import { type FiltersFormState, parseFiltersForm, parseSiteForm } from './forms.js';
import { logRequests } from './logging.js';
import { STYLESHEET } from './style.js';
import { HomePage, type SiteFormState } from './views/home.js';
import { ErrorPage } from './views/layout.js';
import { SitePage } from './views/site.js';

/** Largest form body the dashboard reads. */
const MAX_FORM_BODY = 64 * 1024;

/** Events shown per page of a site's event list. */
export const EVENTS_PER_PAGE = 50;

const emptyForm: SiteFormState = { values: { base_url: '', name: '' }, errors: {} };

/** Builds the dashboard's routes. */
export function createDashboard({ store, config, sites }: { store: Store; config: Config; sites: SiteCache }): Hono {
  const app = new Hono();

  app.use(logRequests());
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
  app.use(csrfProtection(config.publicUrl?.startsWith('https:') ?? false));

  app.get('/assets/style.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  // No icon yet; an empty answer keeps browsers from logging a 404 on every page.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/', async (c) => homePage(c, store, emptyForm, 200));
  // The seed listed sites at /sites; keep its links working.
  app.get('/sites', (c) => c.redirect('/', 301));

  app.post('/site', async (c) => {
    const form = await c.req.parseBody();
    const result = parseSiteForm(form);
    if ('errors' in result) {
      const values = { base_url: String(form.base_url ?? ''), name: String(form.name ?? '') };
      return homePage(c, store, { values, errors: result.errors }, 400);
    }
    const site = await insertSite(store.db, { ...result.site, created_at: Date.now() });
    return c.redirect(`/site/${site.id}`, 303);
  });

  const sitePage = async (c: Context, site: Site, filters: FiltersFormState, status: ContentfulStatusCode) => {
    const before = parseCursor(c.req.query('before'));
    const { events, next } = await listEvents(store.db, site.id, EVENTS_PER_PAGE, before);
    const filtered = await filteredSince(store.db, site.id, `${utcDay(Date.now()).slice(0, 8)}01`);
    const snippet = installSnippet(config.publicUrl ?? new URL(c.req.url).origin, site.id);
    const props = { site, snippet, events, next, paged: before !== undefined, filtered, filters, csrfToken: c.get('csrfToken') };
    return page(c, <SitePage {...props} />, status);
  };

  app.get('/site/:id', async (c) => {
    const site = await loadSite(store, c.req.param('id'));
    const values = { allowAnyHost: site.allow_any_host === 1, excludedIps: site.excluded_ips };
    return sitePage(c, site, { values, errors: {} }, 200);
  });

  app.post('/site/:id/filters', async (c) => {
    const site = await loadSite(store, c.req.param('id'));
    const result = parseFiltersForm(await c.req.parseBody());
    if ('errors' in result) return sitePage(c, site, result, 400);
    await updateSiteFilters(store.db, site.id, result.filters);
    // This process's collector sees the change at once; others within SITE_CACHE_SECONDS.
    sites.forget(site.id);
    return c.redirect(`/site/${site.id}#filters`, 303);
  });

  return app;
}

/** Everything one process serves: the collector's routes, then the dashboard's. */
export function createApp(deps: CollectorDeps & { store: Store; config: Config }): Hono {
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

/** Loads a site from a route parameter; a bad or unknown id is a 404. */
async function loadSite(store: Store, idText: string): Promise<Site> {
  const id = parseId(idText);
  const site = id > 0 ? await findSite(store.db, id) : undefined;
  if (site === undefined) throw new HttpError(404, 'There is no such site.');
  return site;
}

function parseCursor(text: string | undefined): EventCursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (match === null) throw new HttpError(400, 'That page link is broken: go back to the newest events.');
  return { ts: Number(match[1]), id: Number(match[2]) };
}

async function homePage(c: Context, store: Store, form: SiteFormState, status: 200 | 400): Promise<Response> {
  const sites = await listSites(store.db);
  return page(c, <HomePage sites={sites} form={form} csrfToken={c.get('csrfToken')} />, status);
}

function page(c: Context, body: JSX.Element, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(
    <>
      {raw('<!doctype html>')}
      {body}
    </>,
    status,
  );
}
