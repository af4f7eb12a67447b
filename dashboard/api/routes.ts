/**
 * The JSON API under /api/v1: sites, and every number the dashboard shows,
 * for scripts. Requests carry `Authorization: Bearer KEY`; a key reaches its
 * account's sites only. Each operation is described once, in zod, in
 * ./operations.ts: its requests are checked against that description and the
 * OpenAPI document is generated from it. The numbers come from the
 * dashboard's own code (report-routes.tsx, reports/).
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AddressList } from '../../core/cidr.js';
import { findApiKey, touchApiKey } from '../../core/db/accounts.js';
import type { Store } from '../../core/db/connect.js';
import type { BreakdownRow, Sums } from '../../core/db/rollup-sums.js';
import type { ApiKey, Event, Site, User } from '../../core/db/schema.js';
import { deleteSite, findSite, insertSite, listSites, updateSite } from '../../core/db/sites.js';
import { type ErrorRenderer, HttpError } from '../../core/errors.js';
import { clientAddress, socketAddress, throttleAddress } from '../../core/ip.js';
import type { SiteCache } from '../../core/site-cache.js';
import { tokenHash } from '../auth.js';
import { parseSiteForm } from '../forms.js';
import { noStore } from '../headers.js';
import { currentReport, listMatchingEvents, parseCursor } from '../report-routes.js';
import type { Dimension } from '../reports/dimensions.js';
import { loadRealtime } from '../reports/realtime.js';
import { changeTimezone } from '../reports/rollup-job.js';
import { parseReportState, type ReportState } from '../reports/state.js';
import { dayBounds, isTimeZone, localDay } from '../reports/zone.js';
import { API_KEY_THROTTLE, LoginThrottle, tooMany } from '../throttle.js';
import { topLine } from '../views/report.js';
import { OPERATIONS } from './operations.js';
import { type Checked, checkRequest, describeOperations, type Operation } from './schema.js';

/** The largest request body: a site is a few hundred bytes. */
const MAX_BODY = 16 * 1024;
/** Requests per key per minute, unless a test says otherwise. */
export const RATE_LIMIT = 600;
const WINDOW_MS = 60_000;
// Writing last_used_at on every request would turn each read into a write.
const TOUCH_EVERY_MS = 60_000;

/** What the API needs. */
export interface ApiDeps {
  readonly store: Store;
  readonly sites: SiteCache;
  /** Proxies whose X-Forwarded-For is believed, for the address that unknown keys are counted by. */
  readonly trustedProxies: AddressList;
  readonly rateLimit?: number;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The account an API key belongs to. */
    apiUser: User;
  }
}

/** What a route under `/sites/{id}` has: that site, the key's account's own. */
type SiteEnv = { Variables: { site: Site } };

/** An operation's checked request, as its handler reads it. */
type Input<O extends Operation> = { out: { param: Checked<O>['params']; query: Checked<O>['query']; json: Checked<O>['body'] } };

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Every API error has one shape: `{ error: { code, message, fields? } }`. */
const renderApiError: ErrorRenderer = (c, status, message, fields) =>
  c.json({ error: { code: CODES[status] ?? (status >= 500 ? 'internal' : 'error'), message, ...(fields ? { fields } : {}) } }, status);

/** The dashboard's report parameters, as every report operation takes them. */
type ReportQuery = Checked<typeof OPERATIONS.getStats>['query'];

/** The API's routes, to mount at /api/v1 before the dashboard. */
export function createApi(deps: ApiDeps): OpenAPIHono {
  const { store } = deps;
  const { db } = store;
  const unknownKeys = new LoginThrottle(API_KEY_THROTTLE);
  const limit = deps.rateLimit ?? RATE_LIMIT;
  const windows = new Map<number, { start: number; count: number }>();
  const app = new OpenAPIHono();

  app.use(async (c, next) => {
    c.set('renderError', renderApiError);
    await next();
  });
  app.use(noStore());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY,
      onError: () => {
        throw new HttpError(413, `Send at most ${MAX_BODY} bytes.`);
      },
    }),
  );

  describeOperations(app, Object.values(OPERATIONS));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Sightline API', version: '1', description: 'Sites and their reports: the numbers the dashboard shows, as JSON.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
  });

  // Everything else needs a key.
  app.use(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new HttpError(401, 'Send an API key: Authorization: Bearer KEY (make one under Account).');
    // Guessing keys is throttled per address, as guessing passwords is.
    const address = throttleAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), deps.trustedProxies));
    const keys = [`apikey:${address}`];
    const verdict = unknownKeys.verdict(keys, Date.now());
    if ('refusedUntil' in verdict) throw tooMany('unknown API keys from this address', verdict.refusedUntil, Date.now());
    const found = await findApiKey(db, tokenHash(match[1] ?? ''));
    if (found === undefined) {
      unknownKeys.fail(keys, Date.now());
      throw new HttpError(401, 'That API key does not exist, or was revoked.');
    }
    limitRate(found.key, Date.now());
    if (Date.now() - (found.key.last_used_at ?? 0) > TOUCH_EVERY_MS) await touchApiKey(db, found.key.id, Date.now());
    c.set('apiUser', found.user);
    await next();
  });

  function limitRate(key: ApiKey, now: number): void {
    let window = windows.get(key.id);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 };
      windows.set(key.id, window);
    }
    window.count++;
    if (window.count > limit) {
      const seconds = Math.ceil((window.start + WINDOW_MS - now) / 1000);
      throw new HttpError(429, `This key made more than ${limit} requests this minute. Try again in ${seconds} s.`, undefined, {
        'Retry-After': String(seconds),
      });
    }
  }

  /** Checks a request against its operation before its handler runs; the handler reads it with `c.req.valid`. */
  function checked<O extends Operation>(op: O): MiddlewareHandler {
    return async (c, next) => {
      const { params, query, body } = await checkRequest(op, c);
      c.req.addValidatedData('param', params);
      c.req.addValidatedData('query', query);
      if (typeof body === 'object' && body !== null) c.req.addValidatedData('json', body);
      await next();
    };
  }

  /**
   * The site middleware of every route under `/sites/{id}`: the key's
   * account's site, loaded once into `c.var.site`, or the same 404 as for a
   * site that does not exist. It runs after the request is checked, so that a
   * bad request is a 400 whoever's site it names.
   */
  const ownSite: MiddlewareHandler<SiteEnv, string, { out: { param: { id: number } } }> = async (c, next) => {
    const site = await findSite(db, c.req.valid('param').id);
    if (site === undefined || site.owner_id !== c.get('apiUser').id) throw new HttpError(404, 'There is no such site.');
    c.set('site', site);
    await next();
  };

  function on(op: Operation, ...handlers: MiddlewareHandler[]): void {
    app.on(op.method.toUpperCase(), op.path.replace(/\{(\w+)\}/g, ':$1'), checked(op), ...handlers);
  }

  /** Registers an operation of the account's: its request is checked before the handler runs. */
  function route<O extends Operation>(op: O, handler: (c: Context<Env, string, Input<O>>) => Promise<Response>): void {
    on(op, handler);
  }

  /** Registers an operation under `/sites/{id}`, whose handler finds the site in `c.var.site`. */
  function siteRoute<O extends Operation>(op: O, handler: (c: Context<SiteEnv, string, Input<O>>) => Promise<Response>): void {
    if (!op.path.startsWith('/sites/{id}')) throw new Error(`${op.id} is not under /sites/{id}`);
    on(op, ownSite, handler);
  }

  /**
   * The report state from the dashboard's parameters. `timezone` may only
   * name the site's own zone: the engine cuts visits and days in that zone,
   * and any other would mean adding up the raw events again.
   */
  function reportState(site: Site, query: ReportQuery): ReportState {
    const zone = query.timezone ?? site.timezone;
    if (!isTimeZone(zone)) throw new HttpError(400, 'Some parameters are wrong.', { timezone: 'is not a time zone' });
    if (zone !== site.timezone) {
      throw new HttpError(400, 'Some parameters are wrong.', {
        timezone: `must be the site's time zone, ${site.timezone}: reports are kept in it (change the site's zone to read another)`,
      });
    }
    const { period, from, to } = query;
    const values: Record<string, string | undefined> = { period, from, to };
    return parseReportState((name) => values[name], query.f ?? [], localDay(Date.now(), zone));
  }

  async function report(site: Site, query: ReportQuery & { limit?: number | undefined }, dimensions?: readonly Dimension[]) {
    const state = reportState(site, query);
    return { state, report: (await currentReport(store, site, state, query.limit ?? 10, dimensions)).report };
  }

  route(OPERATIONS.listSites, async (c) => c.json({ sites: (await listSites(db, c.get('apiUser').id)).map(siteJson) }));

  route(OPERATIONS.createSite, async (c) => {
    const body = c.req.valid('json');
    const checked = parseSiteForm({ base_url: body.base_url, name: body.name ?? '' });
    const timezone = body.timezone ?? 'UTC';
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    const site = await insertSite(db, { ...checked.site, timezone, owner_id: c.get('apiUser').id, created_at: Date.now() });
    return c.json(siteJson(site), 201);
  });

  siteRoute(OPERATIONS.getSite, async (c) => c.json(siteJson(c.var.site)));

  siteRoute(OPERATIONS.updateSite, async (c) => {
    const { site } = c.var;
    const body = c.req.valid('json');
    const checked = parseSiteForm({ base_url: body.base_url ?? site.base_url, name: body.name ?? site.name });
    const timezone = body.timezone ?? site.timezone;
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    await updateSite(db, site.id, checked.site);
    if (timezone !== site.timezone) await changeTimezone(store, site.id, timezone);
    deps.sites.forget(site.id);
    return c.json(siteJson((await findSite(db, site.id)) ?? site));
  });

  siteRoute(OPERATIONS.deleteSite, async (c) => {
    await deleteSite(db, c.var.site.id);
    deps.sites.forget(c.var.site.id);
    return c.body(null, 204);
  });

  siteRoute(OPERATIONS.getStats, async (c) => {
    const { site } = c.var;
    const { state, report: r } = await report(site, c.req.valid('query'), []);
    return c.json({ period: periodJson(state, site), totals: totalsJson(r.totals), previous: totalsJson(r.previous) });
  });

  siteRoute(OPERATIONS.getTimeseries, async (c) => {
    const { site } = c.var;
    const { state, report: r } = await report(site, c.req.valid('query'), []);
    return c.json({ period: periodJson(state, site), granularity: state.period.granularity, points: r.series });
  });

  siteRoute(OPERATIONS.getBreakdown, async (c) => {
    const { site } = c.var;
    const { dimension } = c.req.valid('param');
    const { state, report: r } = await report(site, c.req.valid('query'), [dimension]);
    const total = r.totals.visitors;
    return c.json({
      period: periodJson(state, site),
      dimension,
      rows: r.breakdowns[dimension].map((row) => rowJson(row, total)),
    });
  });

  siteRoute(OPERATIONS.getRealtime, async (c) => c.json(await loadRealtime(db, c.var.site.id, Date.now())));

  siteRoute(OPERATIONS.listEvents, async (c) => {
    const { site } = c.var;
    const query = c.req.valid('query');
    const state = reportState(site, query);
    const before = parseCursor(query.cursor);
    // The period's days, as the CSV export of the events has them.
    const [from] = dayBounds(state.period.from, site.timezone);
    const [, to] = dayBounds(state.period.to, site.timezone);
    const { events, next } = await listMatchingEvents(store, site, state, query.limit ?? 100, before, { from, to });
    return c.json({ events: events.map(eventJson), next_cursor: next === undefined ? null : `${next.ts}.${next.id}` });
  });

  app.all('*', () => {
    throw new HttpError(404, 'There is no such API endpoint; see /api/v1/openapi.json.');
  });
  return app;
}

function siteJson(site: Site) {
  return {
    id: site.id,
    name: site.name,
    base_url: site.base_url,
    domain: site.domain,
    timezone: site.timezone,
    created_at: new Date(site.created_at).toISOString(),
  };
}

function periodJson(state: ReportState, site: Site) {
  return { name: state.period.name, from: state.period.from, to: state.period.to, timezone: site.timezone, filters: state.filters };
}

function totalsJson(sums: Sums) {
  const line = topLine(sums);
  return {
    visitors: sums.visitors,
    visits: sums.visits,
    pageviews: sums.pageviews,
    views_per_visit: line.viewsPerVisit,
    bounce_rate: line.bounceRate,
    visit_duration_ms: Math.round(line.visitDuration),
    events: sums.events,
  };
}

function rowJson(row: BreakdownRow, totalVisitors: number) {
  return {
    value: row.value,
    visitors: row.visitors,
    visits: row.visits,
    pageviews: row.pageviews,
    events: row.events,
    share: totalVisitors === 0 ? 0 : row.visitors / totalVisitors,
    bounce_rate: row.visits === 0 ? 0 : row.bounces / row.visits,
    visit_duration_ms: row.visits === 0 ? 0 : Math.round(row.duration_ms / row.visits),
    time_on_page_ms: timeOnPage(row),
  };
}

/** As the dashboard shows it: per page view for pages, per exit for exit pages, none for the rest. */
function timeOnPage(row: BreakdownRow): number | null {
  const per = row.dimension === 'page' ? row.pageviews : row.dimension === 'exit_page' ? row.visits : 0;
  return per === 0 ? null : Math.round(row.engaged_ms / per);
}

function eventJson(event: Event) {
  const { site_id: _site, ...rest } = event;
  return { ...rest, time: new Date(event.ts).toISOString(), props: event.props === null ? null : (JSON.parse(event.props) as unknown) };
}
