/**
 * The collector's routes: parse the request, hand it to the pipeline
 * (ingest.ts), answer. Mounted alone by collector/main.ts or beside the
 * dashboard by dashboard/main.ts.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { IngestConfig } from './config.js';
import type { Store } from './db/connect.js';
import { HttpError, handleError } from './errors.js';
import { Geo } from './geo.js';
import { type IngestDeps, ingestBeacon, ingestPixel, ingestVisit, type Outcome, type RequestFacts } from './ingest.js';
import { MAX_BODY, parseBeacon, parsePixel, parseVisitForm } from './parse.js';
import { SiteCache } from './site-cache.js';
import type { IngestStats } from './stats.js';
import { TRACKER_PATH, type TrackerBundle } from './tracker.js';
import { Salts } from './visitor.js';
import { EventWriter } from './writer.js';

/** What the collector needs from its surroundings. */
export interface CollectorDeps {
  readonly ingest: IngestDeps;
  readonly tracker: TrackerBundle;
  readonly stats: IngestStats;
}

/** The Node adapter puts the raw request in `c.env.incoming`. */
interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** Where the install snippet's <noscript> image points. */
export const PIXEL_PATH = '/api/pixel';
/** The response header that says why an event was dropped (it still gets a 2xx). */
export const DROPPED_HEADER = 'X-Sightline-Dropped';
// The smallest transparent GIF: 1×1, one colour, fully transparent.
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const anyOrigin = cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], maxAge: 86400, exposeHeaders: [DROPPED_HEADER] });

const tooLarge = () => new HttpError(413, `The body is larger than ${MAX_BODY} bytes.`);
const streamLimit = bodyLimit({
  maxSize: MAX_BODY,
  onError: () => {
    throw tooLarge();
  },
});

/**
 * Bounds the body. Browsers and curl send Content-Length, which is checked
 * before anything is read, and then the Node adapter's fast path reads the
 * body without building a full Request object: that is a large share of the
 * cost of an event. Only a body without a length goes through Hono's
 * streaming limit.
 */
const limitBody: MiddlewareHandler = (c, next) => {
  const length = c.req.header('content-length');
  if (length === undefined) return streamLimit(c, next);
  if (!/^\d{1,9}$/.test(length) || Number(length) > MAX_BODY) throw tooLarge();
  return next();
};

/** Builds what the pipeline needs: the site cache, the writer, geo-IP and the salts. */
export function createIngest(config: IngestConfig, store: Store, geo: Geo = new Geo(config.geoCityDb)): IngestDeps {
  return {
    config,
    sites: new SiteCache(store.db, config.siteCacheMs),
    writer: new EventWriter(store, config),
    geo,
    salts: new Salts(store.db),
  };
}

/** Builds the collector's routes. */
export function createCollector({ ingest, tracker, stats }: CollectorDeps): Hono<{ Bindings: NodeBindings }> {
  const app = new Hono<{ Bindings: NodeBindings }>();

  // Count every answer for the periodic summary; nothing is logged per event.
  const countOutcome = async (c: Context, next: () => Promise<void>) => {
    await next();
    const dropped = c.res.headers.get(DROPPED_HEADER);
    stats.record(dropped ? `dropped_${dropped}` : c.res.status < 300 ? 'accepted' : `refused_${c.res.status}`);
  };
  app.use('/api/event', anyOrigin, countOutcome, limitBody);
  app.use('/site/:id/visit', anyOrigin, countOutcome, limitBody);
  app.use(PIXEL_PATH, countOutcome);

  app.post('/api/event', async (c) => {
    const beacon = parseBeacon(await c.req.text());
    const outcome = await ingestBeacon(ingest, beacon, requestFacts(c));
    return c.body(null, 202, droppedHeader(outcome));
  });

  // The seed's part-1 contract: a plain form post, no CSRF token, open to any site.
  app.post('/site/:id/visit', async (c) => {
    const siteId = parseSiteId(c.req.param('id'));
    const visit = parseVisitForm(await readForm(c));
    const outcome = await ingestVisit(ingest, siteId, visit, requestFacts(c));
    return c.text(
      outcome.dropped ? `Visit for site ${siteId} not counted: ${outcome.dropped}\n` : `Added visit for site ${siteId}\n`,
      201,
      droppedHeader(outcome),
    );
  });

  // The install snippet's <noscript> image: a page view from a browser
  // without JavaScript. The page is whatever the Referer header names.
  app.get(PIXEL_PATH, async (c) => {
    const view = parsePixel(c.req.query('s'), c.req.header('referer'));
    const outcome = await ingestPixel(ingest, view, requestFacts(c));
    return c.body(PIXEL_GIF, 200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store', ...droppedHeader(outcome) });
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

function requestFacts(c: Context<{ Bindings: NodeBindings }>): RequestFacts {
  return {
    userAgent: c.req.header('user-agent'),
    socketAddress: c.env?.incoming?.socket?.remoteAddress,
    forwardedFor: c.req.header('x-forwarded-for'),
    now: Date.now(),
  };
}

function droppedHeader(outcome: Outcome): Record<string, string> {
  return outcome.dropped === undefined ? {} : { [DROPPED_HEADER]: outcome.dropped };
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
