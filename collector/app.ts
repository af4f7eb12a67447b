/**
 * The collector's routes: thin handlers over parse.ts and the db queries.
 * Mounted alone by collector/main.ts or beside the dashboard by dashboard/main.ts.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Store } from './db/connect.js';
import { insertEvent } from './db/events.js';
import { siteExists } from './db/sites.js';
import { HttpError, handleError } from './errors.js';
import { MAX_BODY, PAGEVIEW, parseBeacon, parsePixel, parseVisitForm } from './parse.js';
import type { IngestStats } from './stats.js';
import { TRACKER_PATH, type TrackerBundle } from './tracker.js';

/** What the collector needs from its surroundings. */
export interface CollectorDeps {
  readonly store: Store;
  readonly tracker: TrackerBundle;
  readonly stats: IngestStats;
}

/** The Node adapter puts the raw request in `c.env.incoming`. */
interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** Where the install snippet's <noscript> image points. */
export const PIXEL_PATH = '/api/pixel';
// The smallest transparent GIF: 1×1, one colour, fully transparent.
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const anyOrigin = cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], maxAge: 86400 });

const limitBody = bodyLimit({
  maxSize: MAX_BODY,
  onError: () => {
    throw new HttpError(413, `The body is larger than ${MAX_BODY} bytes.`);
  },
});

/** Builds the collector's routes. */
export function createCollector({ store, tracker, stats }: CollectorDeps): Hono<{ Bindings: NodeBindings }> {
  const app = new Hono<{ Bindings: NodeBindings }>();

  // Count every answer, accepted or not, for the periodic summary; nothing
  // is logged per event.
  const countOutcome = async (c: Context, next: () => Promise<void>) => {
    await next();
    stats.record(c.res.status < 300 ? 'accepted' : `refused_${c.res.status}`);
  };
  app.use('/api/event', anyOrigin, countOutcome, limitBody);
  app.use('/site/:id/visit', anyOrigin, countOutcome, limitBody);
  app.use(PIXEL_PATH, countOutcome);

  app.post('/api/event', async (c) => {
    const beacon = parseBeacon(await c.req.text());
    await requireSite(store, beacon.site);
    await insertEvent(store.db, {
      site_id: beacon.site,
      ts: Date.now(),
      name: beacon.name,
      url: beacon.url,
      referrer: beacon.referrer,
      browser: c.req.header('user-agent') ?? null,
      ip: clientAddress(c.env),
      props: beacon.props,
      engaged_ms: beacon.engagedMs,
    });
    return c.body(null, 202);
  });

  // The install snippet's <noscript> image: a page view from a browser
  // without JavaScript. The page is whatever the Referer header names.
  app.get(PIXEL_PATH, async (c) => {
    const view = parsePixel(c.req.query('s'), c.req.header('referer'));
    await requireSite(store, view.site);
    await insertEvent(store.db, {
      site_id: view.site,
      ts: Date.now(),
      name: PAGEVIEW,
      url: view.url,
      referrer: null,
      browser: c.req.header('user-agent') ?? null,
      ip: clientAddress(c.env),
    });
    return c.body(PIXEL_GIF, 200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' });
  });

  // The seed's part-1 contract: a plain form post, no CSRF token, open to any site.
  app.post('/site/:id/visit', async (c) => {
    const siteId = parseSiteId(c.req.param('id'));
    const visit = parseVisitForm(await readForm(c));
    await requireSite(store, siteId);
    await insertEvent(store.db, {
      site_id: siteId,
      ts: visit.ts,
      name: visit.name,
      url: visit.url,
      referrer: null,
      browser: visit.browser,
      ip: visit.ip,
    });
    return c.text(`Added visit for site ${siteId}\n`, 201);
  });

  app.get(TRACKER_PATH, (c) => {
    c.header('ETag', tracker.etag);
    // An hour fresh, then a cheap 304 revalidation: new releases reach pages
    // within the hour without every page view fetching the script.
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (c.req.header('if-none-match') === tracker.etag) return c.body(null, 304);
    return c.body(tracker.code, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  return app;
}

/** The collector on its own, as `npm run start:collector` serves it. */
export function createCollectorApp(deps: CollectorDeps): Hono<{ Bindings: NodeBindings }> {
  const app = new Hono<{ Bindings: NodeBindings }>();
  app.route('/', createCollector(deps));
  app.notFound((c) => c.json({ error: 'Not found' }, 404));
  app.onError(handleError);
  return app;
}

async function requireSite(store: Store, siteId: number): Promise<void> {
  if (!(await siteExists(store.db, siteId))) throw new HttpError(404, `There is no site ${siteId}.`);
}

function parseSiteId(text: string): number {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  if (id < 1) throw new HttpError(404, `There is no site ${text}.`);
  return id;
}

async function readForm(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new HttpError(415, 'Send the visit as a form (application/x-www-form-urlencoded).');
  }
  try {
    return await c.req.parseBody();
  } catch {
    throw new HttpError(400, 'The form body could not be read.');
  }
}

/** The peer's address, with IPv4-mapped IPv6 written as plain IPv4. */
function clientAddress(env: NodeBindings | undefined): string | null {
  const address = env?.incoming?.socket?.remoteAddress;
  if (address === undefined) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
