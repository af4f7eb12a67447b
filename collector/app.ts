/**
 * The collector's routes: parse the request, hand it to the pipeline
 * (ingest.ts), answer. Mounted alone by collector/main.ts or beside the
 * dashboard by server/app.tsx (npm start).
 */

import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { IngestConfig } from '../core/config.js';
import type { Store } from '../core/db/connect.js';
import { clientAborted, errorStatus, HttpError, handleError } from '../core/errors.js';
import { PIXEL_PATH, TRACKER_PATH } from '../core/paths.js';
import { SiteCache } from '../core/site-cache.js';
import { DROPPED_HEADER, type DropReason, type IngestStats } from '../core/stats.js';
import { utcDay } from '../core/time.js';
import { Geo } from './geo.js';
import { type IngestDeps, ingestBeacon, ingestPixel, ingestVisit, type Outcome } from './ingest.js';
import { MAX_BODY, parseBeacon, parsePixel, parseVisitForm } from './parse.js';
import { type CollectorContext, type NodeBindings, parseSiteId, readForm, requestFacts, requestHeader } from './request.js';
import type { TrackerBundle } from './tracker.js';
import { Salts, VisitorIds } from './visitor.js';
import { EventWriter } from './writer.js';

/** What the collector needs from its surroundings. */
export interface CollectorDeps {
  readonly ingest: IngestDeps;
  readonly tracker: TrackerBundle;
  readonly stats: IngestStats;
}

/** How a Node server that serves the collector is made: it joins repeated headers, as Hono does (see requestHeader in request.ts). */
export const NODE_SERVER_OPTIONS = { joinDuplicateHeaders: true } as const;

// Browsers show a broken-image icon for anything but an image: answer the
// smallest one there is, a transparent 1×1 GIF.
const ANY_ORIGIN = { 'Access-Control-Allow-Origin': '*' } as const;
const ACCEPTED: Readonly<Record<string, string>> = Object.freeze({ ...ANY_ORIGIN, 'Content-Length': '0' });
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const tooLarge = () => new HttpError(413, `The body is larger than ${MAX_BODY} bytes.`);
const streamLimit = bodyLimit({
  maxSize: MAX_BODY,
  onError: () => {
    throw tooLarge();
  },
});

/** A collector route's answer, and what it did with the event, for the periodic summary. */
interface Answer {
  readonly response: Response;
  readonly outcome: string;
}

/**
 * What every collector route shares, wrapped around its handler: each step
 * on this path costs, at tens of thousands of events a second.
 *
 * - A wrapper, not a middleware: Hono calls a route with a single handler
 *   directly, while a middleware in front puts each request through its
 *   compose chain and the context's response bookkeeping, a cost the
 *   collector's throughput shows.
 * - CORS, any origin. Each route puts ANY_ORIGIN in its own plain-object
 *   headers, which the Node adapter writes as they are; c.header() or
 *   Hono's cors middleware would build a Headers object, or copy the whole
 *   response, for every event. Errors get it here, on their way to onError.
 * - The body limit. Browsers and curl send Content-Length, which is checked
 *   before anything is read; then the Node adapter reads the body on its
 *   fast path, without building a full Request. Only a body without a
 *   length goes through Hono's streaming limit.
 * - The count for the periodic summary.
 */
function collectorRoute(stats: IngestStats, handler: (c: CollectorContext) => Promise<Answer>) {
  return async (c: CollectorContext): Promise<Response> => {
    try {
      const length = c.req.method === 'POST' ? requestHeader(c, 'content-length') : '0';
      let answer: Answer | undefined;
      if (length === undefined) {
        await streamLimit(c, async () => {
          answer = await handler(c);
        });
      } else if (!/^\d{1,9}$/.test(length) || Number(length) > MAX_BODY) {
        throw tooLarge();
      } else {
        answer = await handler(c);
      }
      if (answer === undefined) throw new Error('collector route gave no answer');
      stats.record(answer.outcome);
      return answer.response;
    } catch (error) {
      stats.record(clientAborted(error) ? 'aborted' : `refused_${errorStatus(error)}`);
      c.header('Access-Control-Allow-Origin', '*');
      throw error;
    }
  };
}

/** Answers a CORS preflight: scripts that post JSON send one first; beacons (text/plain) do not. */
function preflight(c: Context): Response {
  return c.body(null, 204, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': c.req.header('access-control-request-headers') ?? 'content-type',
    'Access-Control-Max-Age': '86400',
  });
}

/** Builds what the pipeline needs: the site cache, the writer, geo-IP and the salts. */
export function createIngest(config: IngestConfig, store: Store, geo: Geo = new Geo(config.geoCityDb)): IngestDeps {
  return {
    config,
    sites: new SiteCache(store.db, config.siteCacheMs),
    writer: new EventWriter(store, config),
    geo,
    salts: new Salts(store.db),
    visitors: new VisitorIds(),
  };
}

/**
 * What the collector does in the background, every `everyMs`: deletes salts
 * past their 48 hours, and once the UTC day has changed forgets the
 * addresses it holds in memory, the cached places and visitor ids, even when
 * no event comes to replace them. Returns the function that stops it.
 */
export function startIngestChores(ingest: IngestDeps, everyMs = 60_000, now: () => number = Date.now): () => void {
  const stopPurging = ingest.salts.startPurging(everyMs);
  let day = utcDay(now());
  const timer = setInterval(() => {
    const today = utcDay(now());
    if (today === day) return;
    day = today;
    ingest.geo.forget();
    ingest.visitors.forget();
  }, everyMs);
  timer.unref();
  return () => {
    stopPurging();
    clearInterval(timer);
  };
}

/** Builds the collector's routes. */
export function createCollector({ ingest, tracker, stats }: CollectorDeps): Hono<{ Bindings: NodeBindings }> {
  const app = new Hono<{ Bindings: NodeBindings }>();

  // Nothing is logged per event; every answer is counted for the summary.
  app.on('OPTIONS', ['/api/event', '/site/:id/visit', PIXEL_PATH], preflight);

  app.post('/api/event', collectorRoute(stats, eventHandler(ingest)));
  // The visit form route (the Flask-Tracking contract): a plain form post,
  // no CSRF token, open to any site.
  app.post('/site/:id/visit', collectorRoute(stats, visitHandler(ingest)));
  // The install snippet's <noscript> image: a page view from a browser
  // without JavaScript. The page is whatever the Referer header names.
  app.get(PIXEL_PATH, collectorRoute(stats, pixelHandler(ingest)));
  app.get(TRACKER_PATH, trackerHandler(tracker));

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

/** The tracker's beacon, `POST /api/event`. */
function eventHandler(ingest: IngestDeps) {
  return async (c: CollectorContext): Promise<Answer> => {
    const beacon = parseBeacon(await c.req.text());
    const outcome = await ingestBeacon(ingest, beacon, requestFacts(c));
    // A Response with plain headers is what the Node adapter writes fastest;
    // a stored event's are the same every time.
    const headers = outcome.dropped === undefined ? ACCEPTED : { ...ACCEPTED, ...droppedHeader(outcome) };
    const response = new Response(null, { status: 202, headers });
    return { response, outcome: outcomeName(outcome) };
  };
}

/** The visit form, `POST /site/:id/visit`. */
function visitHandler(ingest: IngestDeps) {
  return async (c: CollectorContext): Promise<Answer> => {
    const siteId = parseSiteId(c.req.param('id') ?? '');
    const visit = parseVisitForm(await readForm(c), Date.now());
    const outcome = await ingestVisit(ingest, siteId, visit, requestFacts(c));
    const response = c.text(
      told(outcome) ? `Visit for site ${siteId} not counted: ${outcome.dropped}\n` : `Added visit for site ${siteId}\n`,
      201,
      { ...ANY_ORIGIN, ...droppedHeader(outcome) },
    );
    return { response, outcome: outcomeName(outcome) };
  };
}

/** The <noscript> pixel, `GET /api/pixel`. */
function pixelHandler(ingest: IngestDeps) {
  return async (c: CollectorContext): Promise<Answer> => {
    // Hono answers HEAD with the GET route: a HEAD is no page view.
    if (c.req.method === 'HEAD') {
      return {
        response: c.body(null, 200, { ...ANY_ORIGIN, 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' }),
        outcome: 'head',
      };
    }
    const view = parsePixel(c.req.query('s'), c.req.header('referer'));
    const outcome = await ingestPixel(ingest, view, requestFacts(c));
    const response = c.body(PIXEL_GIF, 200, {
      ...ANY_ORIGIN,
      'Content-Type': 'image/gif',
      'Cache-Control': 'no-store',
      ...droppedHeader(outcome),
    });
    return { response, outcome: outcomeName(outcome) };
  };
}

/** The tracker script itself. */
function trackerHandler(tracker: TrackerBundle) {
  return (c: Context): Response => {
    c.header('ETag', tracker.etag);
    // An hour fresh, then a cheap 304 revalidation: new releases reach pages
    // within the hour without every page view fetching the script.
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (c.req.header('if-none-match') === tracker.etag) return c.body(null, 304);
    return c.body(tracker.code, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  };
}

/** The summary's name for what happened to an event. */
function outcomeName(outcome: Outcome): string {
  return outcome.dropped === undefined ? 'accepted' : `dropped_${outcome.dropped}`;
}

/**
 * Whether the answer names the drop: for bots and other hosts, which helps
 * a site's owner see why. An excluded address gets the answer of a stored
 * event: naming it would tell a visitor that they are on the list.
 */
function told(outcome: Outcome): outcome is { dropped: DropReason } {
  return outcome.dropped !== undefined && outcome.dropped !== 'ip';
}

/** The response header that names a drop, if the answer may (`told`). */
function droppedHeader(outcome: Outcome): Record<string, string> {
  return told(outcome) ? { [DROPPED_HEADER]: outcome.dropped } : {};
}
